/**
 * Writes attempt records with group commit (db/groupCommit.ts): the attempts that finish
 * at about the same moment, in any job of this worker, share one transaction. Each
 * delivery still learns what became of its own attempt before it moves on.
 */
import type { ChangeBus } from '../db/changeBus.ts';
import { createGroupCommit, type GroupCommit } from '../db/groupCommit.ts';
import type { Queryable } from '../db/queryable.ts';
import { recordAttempts, type AttemptRecord, type RecordedAttempt } from '../deliveries/recordAttempts.ts';

export type AttemptWriter = GroupCommit<AttemptRecord, RecordedAttempt>;

export function createAttemptWriter(deps: { db: Queryable; changes: Pick<ChangeBus, 'publish'> }): AttemptWriter {
  return createGroupCommit<AttemptRecord, RecordedAttempt>(
    (records) => recordAttempts(deps, records),
    // One transaction at a time per worker: concurrent ones would update the same
    // events' counters in different orders and deadlock.
    { maxBatch: 200, maxConcurrent: 1 },
  );
}
