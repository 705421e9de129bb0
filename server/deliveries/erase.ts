/**
 * An event being erased, for its deliveries: those waiting (queued, held) or failed end
 * `cancelled` through the lifecycle table's `erase` row, so the counters and dead letters
 * move as they should and nothing can send or replay an event that has no body left.
 * One with an attempt in flight cannot be stopped: erasure waits for it (the caller
 * refuses and asks to try again).
 */
import type { ChangeBus } from '../db/changeBus.ts';
import type { Queryable } from '../db/queryable.ts';
import { wakeNextInLine } from './orderingLine.ts';
import { publishDeliveryChange, type DeliveryRef } from './publish.ts';
import { allowedFrom, lifecycleCtes } from './sql/lifecycleSql.ts';

const eraseStatement = `
  with target as (
    select d.id, d.status as from_status
      from delivery d
     where d.event_id = $1 and ${allowedFrom('erase', 'd.status')}
       for update
  ), changed as (
    update delivery d
       set status = 'cancelled', next_attempt_at = null, status_reason = 'its event was erased', updated_at = now()
      from target t where d.id = t.id
 returning d.id, d.event_id, d.endpoint_id, t.from_status, d.status as to_status, 0 as attempted,
           null::timestamptz as attempted_at
  ), ${lifecycleCtes('changed')}
  select c.id as "deliveryId", c.event_id as "eventId", e.mailbox_id as "mailboxId", c.endpoint_id as "endpointId"
    from changed c join event e on e.id = c.event_id`;

/** Whether one of the event's deliveries has an attempt in flight (then it cannot be erased yet). */
export async function hasAttemptInFlight(tx: Queryable, eventId: string): Promise<boolean> {
  const { rows } = await tx.query(`select 1 from delivery where event_id = $1 and status = 'delivering' limit 1`, [
    eventId,
  ]);
  return rows.length > 0;
}

/** Cancels the event's waiting and failed deliveries (inside the erasing transaction); returns them. */
export async function cancelForErasure(tx: Queryable, eventId: string): Promise<DeliveryRef[]> {
  const { rows } = await tx.query<DeliveryRef>({ name: 'cancel_for_erasure', text: eraseStatement, values: [eventId] });
  // Out of their ordering key's line: the next ones go.
  await wakeNextInLine(
    tx,
    rows.map((row) => row.deliveryId),
  );
  return rows;
}

/** Tells the live views, once the erasing transaction committed. */
export function publishErased(changes: Pick<ChangeBus, 'publish'>, cancelled: DeliveryRef[]): void {
  for (const delivery of cancelled) publishDeliveryChange(changes, delivery, 'cancelled');
}
