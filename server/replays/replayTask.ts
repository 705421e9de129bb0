/**
 * The `replay` job: a bulk replay's work (failed deliveries again, or the events an
 * endpoint missed while it was disabled), one small batch at a time, STEPS_PER_SECOND
 * batches a second (at most HOOKPOST_REPLAY_PER_SECOND deliveries a second), so a replay
 * of 100,000 dead letters reaches receivers steadily instead of in bursts; and its
 * deliveries' jobs run behind live traffic (deliverJobs.ts priorities) and never hold
 * more than one endpoint's share of a worker (delivery/fairShare.ts). Each batch, its progress and the requeue of
 * its deliveries commit together, so a crash repeats nothing and skips nothing. One job
 * per replay (its job key); a cancelled replay's next run finds it cancelled and stops.
 */
import type { Task } from 'graphile-worker';
import type pg from 'pg';
import { z } from 'zod';
import type { AlertSender } from '../alerts/systemMailbox.ts';
import type { ChangeBus } from '../db/changeBus.ts';
import { withTransaction } from '../db/pool.ts';
import type { Queryable } from '../db/queryable.ts';
import { addMissedDeliveries } from '../deliveries/addMissed.ts';
import { requeueFailedDeliveries } from '../deliveries/requeue.ts';
import { deadLetterConditions, deadLetterFilterSchema } from './deadLetters.ts';

export const REPLAY_TASK = 'replay';

const payloadSchema = z.object({ replayId: z.uuid() });

/** Makes sure the replay's job is due (after `delayMs`); a second one is not added. */
export async function scheduleReplay(db: Queryable, replayId: string, delayMs = 0): Promise<void> {
  await db.query(
    `select graphile_worker.add_job($1, json_build_object('replayId', $2::text), run_at := now() + make_interval(secs => $3),
            job_key := 'replay:' || $2, job_key_mode := 'replace')`,
    [REPLAY_TASK, replayId, delayMs / 1000],
  );
}

/** Batches a second: small, frequent batches instead of one large one a second. */
const STEPS_PER_SECOND = 5;

interface ReplayTaskDeps {
  pool: pg.Pool;
  changes: Pick<ChangeBus, 'publish'>;
  alerts: AlertSender;
  /** Deliveries put back in line per second, at most. */
  perSecond: number;
}

export function makeReplayTask(deps: ReplayTaskDeps): Task {
  const batch = Math.max(1, Math.ceil(deps.perSecond / STEPS_PER_SECOND));
  return async (rawPayload) => {
    const { replayId } = payloadSchema.parse(rawPayload);
    const outcome = await withTransaction(deps.pool, async (client) => {
      const { rows } = await client.query<{ filter: unknown; cursor: string | null }>(
        `select filter, cursor from replay where id = $1 and status = 'running' for update`,
        [replayId],
      );
      const replay = rows[0];
      if (!replay) return null; // Cancelled, finished, or gone.
      const step = await runStep(client, deps, batch, replay.filter, replay.cursor);
      const done = step.looked < batch;
      const { rows: after } = await client.query<{ total: number; processed: number; requeued: number }>(
        `update replay set processed = processed + $2, requeued = requeued + $3, cursor = coalesce($4, cursor),
                status = case when $5 then 'finished'::replay_status else status end,
                finished_at = case when $5 then now() else finished_at end
          where id = $1 returning total, processed, requeued`,
        [replayId, step.looked, step.requeued, step.cursor, done],
      );
      if (!done) await scheduleReplay(client, replayId, 1_000 / STEPS_PER_SECOND);
      return { done, ...after[0]! };
    });
    if (!outcome) return;
    deps.changes.publish({ kind: 'replay', replayId });
    if (outcome.done)
      await deps.alerts.send('replay.finished', {
        replay_id: replayId,
        total: outcome.total,
        processed: outcome.processed,
        requeued: outcome.requeued,
      });
  };
}

/** A replay's filter: dead letters (deadLetters.ts), or the events an endpoint missed while disabled. */
export const missedFilterSchema = z.object({
  kind: z.literal('missed'),
  endpointId: z.uuid(),
  mailboxId: z.uuid(),
  eventTypes: z.array(z.string()),
  since: z.coerce.date(),
  until: z.coerce.date(),
});

interface Step {
  /** Rows looked at (dead letters, or events in the missed range). */
  looked: number;
  /** Deliveries put back in line, or made. */
  requeued: number;
  cursor: string | null;
}

async function runStep(
  client: Queryable,
  deps: ReplayTaskDeps,
  size: number,
  rawFilter: unknown,
  cursor: string | null,
): Promise<Step> {
  const missed = missedFilterSchema.safeParse(rawFilter);
  if (missed.success) {
    const added = await addMissedDeliveries({ db: client, changes: deps.changes }, missed.data, cursor, size);
    return { looked: added.looked, requeued: added.added, cursor: added.lastEventId };
  }
  const values: unknown[] = [];
  const where = deadLetterConditions(deadLetterFilterSchema.parse(rawFilter), values);
  if (cursor) where.push(`l.delivery_id > $${values.push(cursor)}::uuid`);
  const { rows: batch } = await client.query<{ id: string }>(
    `select l.delivery_id as id from dead_letter l join delivery d on d.id = l.delivery_id
      ${where.length ? `where ${where.join(' and ')}` : ''}
      order by l.delivery_id limit $${values.push(size)}`,
    values,
  );
  const requeued = await requeueFailedDeliveries(
    { db: client, changes: deps.changes },
    batch.map((row) => row.id),
  );
  return { looked: batch.length, requeued: requeued.length, cursor: batch.at(-1)?.id ?? null };
}
