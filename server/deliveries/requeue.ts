/**
 * Requeue: deliveries that ended without success, or that are stranded, go back in line
 * for one attempt each (a `manual` one when an operator asks). Which are taken:
 * - failed ones;
 * - cancelled ones whose endpoint is active again;
 * - queued ones that no job will run (stranded: see reconcile.ts), but not one waiting behind
 *   its ordering key's line (orderingLine.ts: it goes when its turn comes);
 * - `delivering` ones whose worker is dead.
 * A delivery in flight at a live worker, or queued with a job that will run it, is left
 * alone, so nothing is sent twice; nor is a delivered one.
 *
 * The event's row is locked first, so concurrent requeues of one event take each
 * delivery once: the second one's statement starts after the first committed and sees
 * its jobs.
 */
import type pg from 'pg';
import type { ChangeBus } from '../db/changeBus.ts';
import { withTransaction } from '../db/pool.ts';
import { addDeliverJobs, addDeliverJobsSql, deliverJobPayloads, type AttemptTrigger } from './deliverJobs.ts';
import type { Queryable } from '../db/queryable.ts';
import { publishDeliveryChange, type DeliveryRef } from './publish.ts';
import { allowedFrom, lifecycleCtes } from './sql/lifecycleSql.ts';
import { hasLiveJob } from './sql/liveJobs.ts';
import { behindItsLine } from './orderingLine.ts';

export interface RequeueTarget {
  eventId: string;
  /** Only this delivery of the event. */
  deliveryId?: string;
}

export interface Requeue {
  /** False when there is no such event. */
  found: boolean;
  requeued: DeliveryRef[];
}

const requeueStatement = `
  with target as (
    select d.id, d.status as from_status
      from delivery d join endpoint p on p.id = d.endpoint_id
     where d.event_id = $1 and ($2::uuid is null or d.id = $2)
       and ${allowedFrom('requeue', 'd.status')}
       and (d.status = 'failed'
            or (d.status = 'cancelled' and p.enabled and p.deleted_at is null)
            or (d.status = 'delivering' and not exists (select 1 from worker_heartbeat h where h.worker_id = d.claimed_by))
            or (d.status = 'queued' and not ${hasLiveJob('d.id')} and not ${behindItsLine('d')}))
       for update of d
  ), changed as (
    update delivery d
       set status = 'queued', next_attempt_at = now(), claimed_by = null, status_reason = null, updated_at = now()
      from target t where d.id = t.id
 returning d.id, d.event_id, d.endpoint_id, t.from_status, d.status as to_status, 0 as attempted,
           null::timestamptz as attempted_at
  ), ${lifecycleCtes('changed')}
  select c.id as "deliveryId", c.event_id as "eventId", e.mailbox_id as "mailboxId", c.endpoint_id as "endpointId"
    from changed c join event e on e.id = c.event_id`;

/**
 * `withRequeued` runs inside the transaction when something was requeued, so what the
 * caller records of it (the audit log) commits or rolls back with the requeue.
 */
export async function requeueDeliveries(
  deps: { pool: pg.Pool; changes: Pick<ChangeBus, 'publish'> },
  target: RequeueTarget,
  trigger: AttemptTrigger,
  withRequeued?: (client: pg.PoolClient, requeued: DeliveryRef[]) => Promise<void>,
): Promise<Requeue> {
  const result = await withTransaction(deps.pool, async (client): Promise<Requeue> => {
    // An erased event has nothing left to send: it is not found here.
    const event = await client.query('select id from event where id = $1 and erased_at is null for update', [
      target.eventId,
    ]);
    if (!event.rowCount) return { found: false, requeued: [] };
    const { rows } = await client.query<DeliveryRef>(requeueStatement, [target.eventId, target.deliveryId ?? null]);
    if (rows.length > 0) {
      const payloads = deliverJobPayloads(
        trigger,
        rows.map((row) => ({ id: row.deliveryId, endpointId: row.endpointId })),
      );
      await client.query(
        `select count(*) from ${addDeliverJobsSql('select unnest($1::text[]) as payload, null::timestamptz as run_at')}`,
        [payloads],
      );
      await withRequeued?.(client, rows);
    }
    return { found: true, requeued: rows };
  });
  for (const delivery of result.requeued) publishDeliveryChange(deps.changes, delivery, 'queued');
  return result;
}

const requeueFailedStatement = `
  with target as (
    select d.id, d.status as from_status
      from delivery d join endpoint p on p.id = d.endpoint_id
     where d.id = any($1::uuid[]) and d.status = 'failed' and ${allowedFrom('requeue', 'd.status')}
       and p.enabled and p.deleted_at is null
     order by d.id
       for update of d
  ), changed as (
    update delivery d
       set status = 'queued', next_attempt_at = now(), claimed_by = null, status_reason = null, updated_at = now()
      from target t where d.id = t.id
 returning d.id, d.event_id, d.endpoint_id, t.from_status, d.status as to_status, 0 as attempted,
           null::timestamptz as attempted_at
  ), ${lifecycleCtes('changed')}
  select c.id as "deliveryId", c.event_id as "eventId", e.mailbox_id as "mailboxId", c.endpoint_id as "endpointId"
    from changed c join event e on e.id = c.event_id`;

/**
 * A bulk replay's step (inside the caller's transaction): these failed deliveries back in
 * line for one `replay` attempt each, behind live traffic (their jobs run after any live job that is due). Only those
 * still failed are taken (a second replay, or a retry meanwhile, took the others) and
 * only to endpoints still active, so running a replay twice doubles nothing.
 */
export async function requeueFailedDeliveries(
  deps: { db: Queryable; changes: Pick<ChangeBus, 'publish'> },
  deliveryIds: readonly string[],
): Promise<DeliveryRef[]> {
  if (deliveryIds.length === 0) return [];
  const { rows } = await deps.db.query<DeliveryRef>(requeueFailedStatement, [deliveryIds]);
  if (rows.length === 0) return rows;
  await addDeliverJobs(
    deps.db,
    deliverJobPayloads(
      'replay',
      rows.map((row) => ({ id: row.deliveryId, endpointId: row.endpointId })),
    ),
    new Date(),
  );
  for (const delivery of rows) publishDeliveryChange(deps.changes, delivery, 'queued');
  return rows;
}
