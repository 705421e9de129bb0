/**
 * Deliveries for events an endpoint missed while it was disabled: events of its mailbox
 * accepted in a time range, that its filter accepts, and that have no delivery to it.
 * Erased events are skipped. Each gets a `replay` delivery with its job (behind live traffic, deliverJobs.ts), and
 * its event counts one more delivery on its way. Run a batch at a time, inside the
 * caller's transaction (which holds its replay's row lock, so batches never overlap); an
 * event that has a delivery to the endpoint already gets no second one.
 */
import type { ChangeBus } from '../db/changeBus.ts';
import type { Queryable } from '../db/queryable.ts';
import { likePattern } from '../events/eventSearch.ts';
import { firstIdAt } from '../events/trackingNumberRange.ts';
import { newId } from '../ids.ts';
import { storedEventOrderingKey } from '../events/orderingKey.ts';
import { addDeliveries } from './addDeliveries.ts';
import { publishDeliveryChange } from './publish.ts';

export interface MissedRange {
  endpointId: string;
  mailboxId: string;
  /** The endpoint's event-type filter (empty: every event). */
  eventTypes: string[];
  /** Events accepted from this moment… */
  since: Date;
  /** …until this one (exclusive). */
  until: Date;
}

/** Adds deliveries for up to `limit` missed events after `cursor`; returns the last event looked at and how many were added. */
export async function addMissedDeliveries(
  deps: { db: Queryable; changes: Pick<ChangeBus, 'publish'> },
  range: MissedRange,
  cursor: string | null,
  limit: number,
): Promise<{ lastEventId: string | null; looked: number; added: number }> {
  // An endpoint disabled or deleted again meanwhile gets nothing more: the replay ends.
  const { rows: active } = await deps.db.query<{ ordered_by_key: boolean; ordering_key_field: string | null }>(
    'select ordered_by_key, ordering_key_field from endpoint where id = $1 and enabled and deleted_at is null',
    [range.endpointId],
  );
  if (!active[0]) return { lastEventId: null, looked: 0, added: 0 };
  const ordering = { orderedByKey: active[0].ordered_by_key, orderingKeyField: active[0].ordering_key_field };
  const { rows: events } = await deps.db.query<{
    id: string;
    matches: boolean;
    has: boolean;
    ordering_key: string | null;
    content_type: string;
    body: Buffer | null;
  }>(
    `select e.id, e.ordering_key, e.content_type,
            -- Bodies only when the endpoint reads ordering keys from them.
            case when $8::boolean then e.body end as body,
            (cardinality($4::text[]) = 0 or e.event_type like any($4::text[])) as matches,
            (e.erased_at is not null
             or exists (select 1 from delivery d where d.event_id = e.id and d.endpoint_id = $5)) as has
       from event e
      where e.mailbox_id = $1 and e.id >= $2::uuid and e.id < $3::uuid and ($6::uuid is null or e.id > $6::uuid)
      order by e.id limit $7`,
    [
      range.mailboxId,
      firstIdAt(range.since),
      firstIdAt(range.until),
      range.eventTypes.map(likePattern),
      range.endpointId,
      cursor,
      limit,
      ordering.orderedByKey && ordering.orderingKeyField !== null,
    ],
  );
  const missed = events.filter((event) => event.matches && !event.has);
  if (missed.length > 0) {
    // Oldest event first, so an endpoint ordered by key gets them in their order.
    const deliveries = missed.map((event) => ({
      id: newId(),
      eventId: event.id,
      endpointId: range.endpointId,
      orderingKey: storedEventOrderingKey(ordering, {
        orderingKey: event.ordering_key,
        contentType: event.content_type,
        body: event.body,
      }),
    }));
    await addDeliveries(deps.db, 'replay', deliveries);
    for (const delivery of deliveries)
      publishDeliveryChange(
        deps.changes,
        {
          deliveryId: delivery.id,
          eventId: delivery.eventId,
          mailboxId: range.mailboxId,
          endpointId: range.endpointId,
        },
        'queued',
      );
  }
  return { lastEventId: events.at(-1)?.id ?? null, looked: events.length, added: missed.length };
}
