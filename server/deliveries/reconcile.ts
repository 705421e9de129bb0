/**
 * Nothing stays stuck: finds deliveries whose status says they are on their way
 * (`queued`, or `delivering` for a worker that is dead) but that no job will run, and
 * settles them:
 * - no job names the delivery at all (lost with a crash, a takeover race…): it is put
 *   back in line with a new job;
 * - only jobs that used up graphile-worker's own attempts name it (an infrastructure
 *   failure ten times over): it ends `failed`, with the job's last error as its reason,
 *   and an operator can retry it.
 *
 * One worker process at a time reconciles (a transaction-level advisory lock), and only
 * deliveries untouched for `settledAfterMs`, so nothing racing a transition in flight is
 * taken. A pass looks at a bounded number of pending events, continuing where the last
 * one stopped, so a large backlog is covered over a few passes at a bounded cost each.
 */
import type pg from 'pg';
import type { ChangeBus } from '../db/changeBus.ts';
import { withTransaction } from '../db/pool.ts';
import { addDeliverJobsSql, deliverJobPayloads, DELIVER_TASK } from './deliverJobs.ts';
import { behindItsLine, wakeNextInLine } from './orderingLine.ts';
import { publishDeliveryChange, type DeliveryRef } from './publish.ts';
import { allowedFrom, lifecycleCtes } from './sql/lifecycleSql.ts';

/** The advisory lock key that elects the reconciling process (namespace, key). */
const RECONCILER_LOCK = [0x686f6f6b, 1] as const;

export interface ReconcileOptions {
  /** Only deliveries whose row has not changed for this long, in ms. */
  settledAfterMs: number;
  /** Pending events looked at per pass, at most. Default 20,000. */
  eventsPerPass?: number;
}

export interface Reconciled {
  /** False when another process holds the reconciler's lock: this pass did nothing. */
  ran: boolean;
  requeued: DeliveryRef[];
  failed: DeliveryRef[];
}

/**
 * A delivery on its way (queued, or claimed by a dead worker) whose row has not moved for
 * a while; not one waiting behind its ordering key's line without a job, which is where
 * it should be (orderingLine.ts: the one ahead of it has its own future, and wakes it).
 */
const unsettled = `${allowedFrom('strand', 'd.status')}
       and d.updated_at < now() - make_interval(secs => $1)
       and (d.status = 'queued' or not exists (select 1 from worker_heartbeat h where h.worker_id = d.claimed_by))
       and not ${behindItsLine('d')}`;

const reconcileStatement = `
  with scanned as (
    select e.id from event e
     where e.status in ('queued', 'delivering') and e.id > $3::uuid
     order by e.id limit $2
  ), candidates as (
    select d.id
      from scanned s join delivery d on d.event_id = s.id
     where ${unsettled}
  ), refs as (
    select (x ->> 'id')::uuid as delivery_id,
           bool_or(j.attempts < j.max_attempts or j.locked_at is not null) as live,
           max(j.last_error) as last_error, max(j.attempts) as attempts
      from graphile_worker._private_jobs j
     cross join lateral json_array_elements(j.payload -> 'deliveries') as x
     where j.task_id = (select id from graphile_worker._private_tasks where identifier = '${DELIVER_TASK}')
     group by 1
  ), stuck as (
    select c.id, r.live, r.last_error, r.attempts
      from candidates c left join refs r on r.delivery_id = c.id
     where r.live is not true
  ), locked as (
    -- Checked again under the lock: anything that gave the delivery a job since also
    -- touched its row.
    select d.id, d.status as from_status, s.live, s.last_error, s.attempts
      from stuck s join delivery d on d.id = s.id
     where ${unsettled}
       for update of d
  ), changed as (
    update delivery d
       set status = case when s.live is null then 'queued' else 'failed' end::delivery_status,
           next_attempt_at = case when s.live is null then now() end,
           claimed_by = null,
           status_reason = case when s.live is null then null
             else format('Its delivery job failed %s times (infrastructure errors): %s', s.attempts,
                         coalesce(left(s.last_error, 500), 'no error recorded')) end,
           updated_at = now()
      from locked s where d.id = s.id
 returning d.id, d.event_id, d.endpoint_id, s.from_status, d.status as to_status, 0 as attempted,
           null::timestamptz as attempted_at
  ), ${lifecycleCtes('changed')}
  select c.id as "deliveryId", c.event_id as "eventId", e.mailbox_id as "mailboxId", c.endpoint_id as "endpointId",
         c.to_status as status, (select id from scanned order by id desc limit 1)::text as "lastScanned", (select count(*) from scanned)::int as "scanned"
    from changed c join event e on e.id = c.event_id
  union all
  select null, null, null, null, null, (select id from scanned order by id desc limit 1)::text, (select count(*) from scanned)::int`;

interface Row extends DeliveryRef {
  status: 'queued' | 'failed' | null;
  lastScanned: string | null;
  scanned: number;
}

const FIRST_ID = '00000000-0000-0000-0000-000000000000';

export function makeReconciler(
  deps: { pool: pg.Pool; changes: Pick<ChangeBus, 'publish'> },
  options: ReconcileOptions,
): { reconcile(): Promise<Reconciled> } {
  const eventsPerPass = options.eventsPerPass ?? 20_000;
  let after = FIRST_ID;

  return {
    async reconcile() {
      const result = await withTransaction(deps.pool, async (client): Promise<Reconciled> => {
        const { rows: lock } = await client.query<{ ours: boolean }>(
          'select pg_try_advisory_xact_lock($1, $2) as ours',
          [...RECONCILER_LOCK],
        );
        if (!lock[0]!.ours) return { ran: false, requeued: [], failed: [] };
        const { rows } = await client.query<Row>(reconcileStatement, [
          options.settledAfterMs / 1000,
          eventsPerPass,
          after,
        ]);
        const summary = rows.find((row) => row.deliveryId === null)!;
        // Continue after the last event looked at, or start over when the end was reached.
        after = summary.scanned < eventsPerPass || !summary.lastScanned ? FIRST_ID : summary.lastScanned;
        const moved = rows.filter((row) => row.deliveryId !== null);
        const requeued = moved.filter((row) => row.status === 'queued');
        if (requeued.length > 0) {
          const payloads = deliverJobPayloads(
            'scheduled',
            requeued.map((row) => ({ id: row.deliveryId, endpointId: row.endpointId })),
          );
          await client.query(
            `select count(*) from ${addDeliverJobsSql('select unnest($1::text[]) as payload, null::timestamptz as run_at')}`,
            [payloads],
          );
        }
        const failed = moved.filter((row) => row.status === 'failed');
        // A line's head that ended failed lets the next of its ordering key go.
        await wakeNextInLine(
          client,
          failed.map((row) => row.deliveryId),
        );
        return { ran: true, requeued, failed };
      });
      for (const delivery of result.requeued) publishDeliveryChange(deps.changes, delivery, 'queued');
      for (const delivery of result.failed) publishDeliveryChange(deps.changes, delivery, 'failed');
      return result;
    },
  };
}
