/**
 * Cancelling what waits for endpoints that were disabled or deleted (or whose mailbox was
 * deleted), and one waiting delivery an operator cancels (the way to skip the head of an
 * ordering key's line). Only waiting deliveries (queued or held) are cancelled; attempts in
 * flight finish and are recorded. An operator can retry a cancelled delivery once its
 * endpoint is active again.
 */
import type { ChangeBus } from '../db/changeBus.ts';
import type { Queryable } from '../db/queryable.ts';
import { wakeNextInLine } from './orderingLine.ts';
import { publishDeliveryChange, type DeliveryRef } from './publish.ts';
import { lifecycleCtes } from './sql/lifecycleSql.ts';

/**
 * Cancels the deliveries `which` picks (a condition on `d`), in one statement with the
 * event counters, and returns them. claimed_by is cleared: a claimed one was never sent.
 */
const cancelStatement = (which: string) => `
  with target as (
    select d.id, d.status as from_status from delivery d
     where ${which}
       for update
  ), changed as (
    update delivery d set status = 'cancelled', claimed_by = null, next_attempt_at = null, updated_at = now()
      from target t where d.id = t.id
 returning d.id, d.event_id, d.endpoint_id, t.from_status, d.status as to_status, 0 as attempted,
           null::timestamptz as attempted_at
  ), ${lifecycleCtes('changed')}
  select c.id as "deliveryId", c.event_id as "eventId", e.mailbox_id as "mailboxId", c.endpoint_id as "endpointId"
    from changed c join event e on e.id = c.event_id`;

const cancelWaitingStatement = cancelStatement(`d.endpoint_id = any($1::uuid[]) and d.status in ('queued', 'held')`);
const cancelOneStatement = cancelStatement(`d.id = $1 and d.status in ('queued', 'held')`);
const cancelClaimedStatement = cancelStatement(
  `d.id = any($1::uuid[]) and d.status = 'delivering' and d.claimed_by = $2`,
);

async function cancel(
  deps: { db: Queryable; changes: Pick<ChangeBus, 'publish'> },
  statement: { name?: string; text: string; values: unknown[] },
): Promise<number> {
  const { rows } = await deps.db.query<DeliveryRef>(statement);
  for (const delivery of rows) publishDeliveryChange(deps.changes, delivery, 'cancelled');
  return rows.length;
}

/** Cancels every delivery waiting for these endpoints; returns how many. */
export async function cancelWaitingDeliveries(
  deps: { db: Queryable; changes: Pick<ChangeBus, 'publish'> },
  endpointIds: string[],
): Promise<number> {
  if (endpointIds.length === 0) return 0;
  return cancel(deps, { name: 'cancel_waiting_deliveries', text: cancelWaitingStatement, values: [endpointIds] });
}

/**
 * Cancels one delivery if it is waiting (queued or held), inside the caller's transaction;
 * the next of its ordering key's line may then go. Returns it, or null when it was not
 * waiting. The caller publishes the change once it has committed.
 */
export async function cancelWaitingDelivery(tx: Queryable, deliveryId: string): Promise<DeliveryRef | null> {
  const { rows } = await tx.query<DeliveryRef>({
    name: 'cancel_waiting_delivery',
    text: cancelOneStatement,
    values: [deliveryId],
  });
  if (rows.length === 0) return null;
  await wakeNextInLine(tx, [deliveryId]);
  return rows[0]!;
}

/** Tells the live views of a cancelled delivery, once its transaction committed. */
export function publishCancelled(changes: Pick<ChangeBus, 'publish'>, delivery: DeliveryRef): void {
  publishDeliveryChange(changes, delivery, 'cancelled');
}

/**
 * Cancels deliveries this worker claimed but did not send, because their endpoint was
 * disabled or deleted meanwhile (sendGate.ts); returns how many.
 */
export async function cancelClaimedDeliveries(
  deps: { db: Queryable; changes: Pick<ChangeBus, 'publish'> },
  workerId: string,
  ids: string[],
): Promise<number> {
  if (ids.length === 0) return 0;
  return cancel(deps, { text: cancelClaimedStatement, values: [ids, workerId] });
}
