/**
 * New deliveries of events already stored (ingest writes its own with the event): the
 * events an endpoint missed while disabled (addMissed.ts), or one event resent to an
 * endpoint an operator chose (resend.ts). Each delivery row, its event's counters (one
 * more delivery, on its way) and its job are written in the caller's transaction, so
 * they commit together; the caller publishes the change once it has committed.
 */
import type { Queryable } from '../db/queryable.ts';
import { addDeliverJobs, deliverJobPayloads, type AttemptTrigger } from './deliverJobs.ts';

export interface NewDelivery {
  id: string;
  eventId: string;
  endpointId: string;
  /** The ordering key's line it joins (its endpoint is ordered by key: events/orderingKey.ts); null or absent: none. */
  orderingKey?: string | null;
}

export async function addDeliveries(
  db: Queryable,
  trigger: AttemptTrigger,
  deliveries: readonly NewDelivery[],
): Promise<void> {
  if (deliveries.length === 0) return;
  await db.query(
    `with added as (
       insert into delivery (id, event_id, endpoint_id, ordering_key)
       select d.id, d.event_id, d.endpoint_id, d.ordering_key
         from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[]) as d(id, event_id, endpoint_id, ordering_key)
       returning event_id
     ), per_event as (select event_id, count(*)::int as n from added group by event_id)
     update event e set delivery_count = e.delivery_count + a.n, pending_count = e.pending_count + a.n
       from per_event a where e.id = a.event_id`,
    [
      deliveries.map((d) => d.id),
      deliveries.map((d) => d.eventId),
      deliveries.map((d) => d.endpointId),
      deliveries.map((d) => d.orderingKey ?? null),
    ],
  );
  await addDeliverJobs(db, deliverJobPayloads(trigger, deliveries), new Date());
}
