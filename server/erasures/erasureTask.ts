/**
 * The `erasure` job: a bulk erasure's work, one small batch of events per transaction,
 * STEPS_PER_SECOND batches a second (at most HOOKPOST_ERASURE_PER_SECOND events a second),
 * so erasing a large mailbox never takes the locks, connections or I/O ingest and delivery
 * need. Each event goes through the one-event rule (events/eraseEvent.ts): an event with an
 * attempt in flight is passed over and taken in a later pass, once the attempt ended.
 *
 * The erasure row is the whole state: a batch, its progress and the next job commit
 * together, so a worker killed mid-batch erases nothing of it and the next worker (crash
 * recovery unlocks the job) takes it up where the last commit left it. One job per erasure
 * (its job key); a cancelled erasure's next run finds it cancelled and stops.
 */
import type { Task } from 'graphile-worker';
import type pg from 'pg';
import { z } from 'zod';
import type { ChangeBus } from '../db/changeBus.ts';
import { withTransaction } from '../db/pool.ts';
import type { Queryable } from '../db/queryable.ts';
import { publishErased } from '../deliveries/erase.ts';
import type { DeliveryRef } from '../deliveries/publish.ts';
import { coerceError } from '../errors.ts';
import { eraseEventRows } from '../events/eraseEvent.ts';
import type { Logger } from '../logger.ts';
import { erasureFilterSchema } from './erasureFilter.ts';
import { nextMatchingEvents } from './matchingEvents.ts';

export const ERASURE_TASK = 'erasure';

const payloadSchema = z.object({ erasureId: z.uuid() });

/** Makes sure the erasure's job is due (after `delayMs`); a second one is not added. */
export async function scheduleErasure(db: Queryable, erasureId: string, delayMs = 0): Promise<void> {
  await db.query(
    `select graphile_worker.add_job($1, json_build_object('erasureId', $2::text), run_at := now() + make_interval(secs => $3),
            job_key := 'erasure:' || $2, job_key_mode := 'replace')`,
    [ERASURE_TASK, erasureId, delayMs / 1000],
  );
}

/** Batches a second: small, frequent transactions instead of one large one. */
const STEPS_PER_SECOND = 5;
/** The pause before another pass over events passed over for an attempt in flight. */
const IN_FLIGHT_PAUSE_MS = 1_000;
/** The pause before trying a batch again that lost a lock conflict (a deadlock with a delivery). */
const CONFLICT_PAUSE_MS = 500;

export interface ErasureTaskDeps {
  pool: pg.Pool;
  changes: Pick<ChangeBus, 'publish'>;
  logger: Logger;
  /** Events erased per second, at most. */
  perSecond: number;
}

interface StepOutcome {
  done: boolean;
  matched: number;
  erased: number;
  cancelled: DeliveryRef[];
}

export function makeErasureTask(deps: ErasureTaskDeps): Task {
  const size = Math.max(1, Math.ceil(deps.perSecond / STEPS_PER_SECOND));
  return async (rawPayload) => {
    const { erasureId } = payloadSchema.parse(rawPayload);
    let outcome: StepOutcome | null;
    try {
      outcome = await withTransaction(deps.pool, (client) => runStep(client, erasureId, size));
    } catch (thrown) {
      const error = coerceError(thrown) as Error & { code?: string };
      // A batch locks many events; one that met a delivery's locks the other way round lost, changed nothing.
      if (error.code !== '40P01' && error.code !== '40001') throw error;
      deps.logger.warn(
        { erasureId, err: error },
        `Bulk erasure ${erasureId} met a lock conflict; its batch runs again.`,
      );
      await scheduleErasure(deps.pool, erasureId, CONFLICT_PAUSE_MS);
      return;
    }
    if (!outcome) return;
    publishErased(deps.changes, outcome.cancelled);
    deps.changes.publish({ kind: 'erasure', erasureId });
    if (outcome.done)
      deps.logger.info(
        { erasureId, matched: outcome.matched, erased: outcome.erased },
        `Bulk erasure ${erasureId} finished: ${outcome.erased} events erased (${outcome.matched} matched when it started).`,
      );
  };
}

async function runStep(client: Queryable, erasureId: string, size: number): Promise<StepOutcome | null> {
  const { rows } = await client.query<{
    mailbox_id: string;
    filter: unknown;
    cursor: string | null;
    in_flight: number;
  }>(`select mailbox_id, filter, cursor, in_flight from erasure where id = $1 and status = 'running' for update`, [
    erasureId,
  ]);
  const erasure = rows[0];
  if (!erasure) return null; // Cancelled, finished, or gone.
  const filter = erasureFilterSchema.parse(erasure.filter);
  const batch = await nextMatchingEvents(client, erasure.mailbox_id, filter, erasure.cursor, size);
  let erased = 0;
  let inFlight = 0;
  const cancelled: DeliveryRef[] = [];
  for (const trackingNumber of batch) {
    const result = await eraseEventRows(client, trackingNumber);
    if (result.outcome === 'erased') {
      erased += 1;
      cancelled.push(...result.cancelled);
    } else if (result.outcome === 'in_flight') inFlight += 1;
  }
  const passEnded = batch.length < size;
  // A pass starts with no cursor; until the next one starts, `in_flight` shows what the last one passed over.
  const passedOver = (erasure.cursor === null ? 0 : erasure.in_flight) + inFlight;
  // Erased events no longer match, so a new pass from the start finds only those passed over.
  const newPass = passEnded && passedOver > 0;
  const done = passEnded && passedOver === 0;
  const { rows: after } = await client.query<{ matched: number; erased: number }>(
    `update erasure
        set erased = erased + $2,
            in_flight = $3,
            cursor = case when $4 then null else coalesce($5, cursor) end,
            status = case when $6 then 'finished'::erasure_status else status end,
            finished_at = case when $6 then now() else finished_at end
      where id = $1 returning matched, erased`,
    [erasureId, erased, passedOver, newPass, batch.at(-1) ?? null, done],
  );
  if (!done) await scheduleErasure(client, erasureId, newPass ? IN_FLIGHT_PAUSE_MS : 1_000 / STEPS_PER_SECOND);
  return { done, ...after[0]!, cancelled };
}
