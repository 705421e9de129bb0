/**
 * Writes attempt records with group commit (db/groupCommit.ts): the attempts that finish
 * at about the same moment, in any job of this worker, share one transaction. Each
 * delivery still learns what became of its own attempt before it moves on.
 *
 * Every request sent is on record (invariant 9): when the database cannot be reached, a
 * batch waits in memory and is written once it is back. What can wait is bounded by what
 * was claimed before the outage (claims need the database too).
 */
import type { ChangeBus } from '../db/changeBus.ts';
import { createGroupCommit, type GroupCommit } from '../db/groupCommit.ts';
import type { Queryable } from '../db/queryable.ts';
import { isDatabaseUnavailable } from '../db/unavailable.ts';
import { recordAttempts, type AttemptRecord, type RecordedAttempt } from '../deliveries/recordAttempts.ts';
import { coerceError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';

export type AttemptWriter = GroupCommit<AttemptRecord, RecordedAttempt>;

const RETRY_DELAYS_MS = [100, 250, 500, 1_000, 2_000];
/** A batch that lost a deadlock or a serialization conflict is written again, at most this many times. */
const CONFLICT_RETRIES = 5;

/** PostgreSQL gave up on the transaction for another one's sake (deadlock, serialization): running it again is safe. */
const isConflict = (error: unknown) => {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
};

export function createAttemptWriter(deps: {
  db: Queryable;
  changes: Pick<ChangeBus, 'publish'>;
  logger: Logger;
  metrics: Pick<Metrics, 'attemptsRecordedLate'>;
}): AttemptWriter {
  const record = async (records: AttemptRecord[]): Promise<RecordedAttempt[]> => {
    for (let retry = 0, conflicts = 0; ; retry++) {
      try {
        const recorded = await recordAttempts(deps, records);
        if (retry > 0) {
          deps.metrics.attemptsRecordedLate.inc(records.length);
          deps.logger.info(`${records.length} attempt record(s) written after the database came back.`);
        }
        return recorded;
      } catch (error) {
        if (isConflict(error) && conflicts < CONFLICT_RETRIES) {
          conflicts++;
          retry--;
          await new Promise((resolve) => setTimeout(resolve, 10 + Math.random() * 40 * conflicts));
          continue;
        }
        if (!isDatabaseUnavailable(error)) throw error;
        const delayMs = RETRY_DELAYS_MS[Math.min(retry, RETRY_DELAYS_MS.length - 1)]!;
        if (retry === 0) {
          deps.logger.warn(
            { err: coerceError(error), records: records.length },
            'The database is unreachable: attempt records wait in memory until it is back.',
          );
        }
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  };
  // One transaction at a time per worker: concurrent ones would update the same events'
  // counters in different orders and deadlock.
  return createGroupCommit<AttemptRecord, RecordedAttempt>(record, { maxBatch: 200, maxConcurrent: 1 });
}
