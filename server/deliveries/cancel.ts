/**
 * Cancelling what waits for endpoints that were disabled or deleted (or whose mailbox was
 * deleted). Only waiting deliveries (queued or held) are cancelled; attempts in flight finish and are
 * recorded. An operator can retry a cancelled delivery once its endpoint is active again.
 */
import type { ChangeBus } from '../db/changeBus.ts';
import type { Queryable } from '../db/queryable.ts';
import { publishDeliveryChange, type DeliveryRef } from './publish.ts';
import { lifecycleCtes } from './sql/lifecycleSql.ts';

const cancelStatement = `
  with target as (
    select d.id, d.status as from_status
      from delivery d
     where d.endpoint_id = any($1::uuid[]) and d.status in ('queued', 'held')
       for update
  ), changed as (
    update delivery d set status = 'cancelled', next_attempt_at = null, updated_at = now()
      from target t where d.id = t.id
 returning d.id, d.event_id, d.endpoint_id, t.from_status, d.status as to_status, 0 as attempted,
           null::timestamptz as attempted_at
  ), ${lifecycleCtes('changed')}
  select c.id as "deliveryId", c.event_id as "eventId", e.mailbox_id as "mailboxId", c.endpoint_id as "endpointId"
    from changed c join event e on e.id = c.event_id`;

/** Cancels every delivery waiting for these endpoints; returns how many. */
export async function cancelWaitingDeliveries(
  deps: { db: Queryable; changes: Pick<ChangeBus, 'publish'> },
  endpointIds: string[],
): Promise<number> {
  if (endpointIds.length === 0) return 0;
  const { rows } = await deps.db.query<DeliveryRef>({
    name: 'cancel_waiting_deliveries',
    text: cancelStatement,
    values: [endpointIds],
  });
  for (const delivery of rows) publishDeliveryChange(deps.changes, delivery, 'cancelled');
  return rows.length;
}
