/**
 * Writes attempt records with group commit (db/groupCommit.ts): the attempts that finish
 * at about the same moment, in any job of this worker, share one transaction. Each
 * delivery still learns whether its own attempt was recorded before it moves on.
 */
import { createGroupCommit, type GroupCommit } from '../db/groupCommit.ts';
import type { Queryable } from '../db/queryable.ts';
import { recordAttempts, type AttemptRecord } from './sql/recordAttempts.ts';

/** Resolves true when the attempt was recorded, false when its delivery had moved on. */
export type AttemptWriter = GroupCommit<AttemptRecord, boolean>;

export function createAttemptWriter(db: Queryable): AttemptWriter {
  return createGroupCommit<AttemptRecord, boolean>(
    async (records) => {
      const recorded = await recordAttempts(db, records);
      return records.map((record) => recorded.has(record.deliveryId));
    },
    // One transaction at a time per worker: concurrent ones would update the same
    // events' counters in different orders and deadlock.
    { maxBatch: 200, maxConcurrent: 1 },
  );
}
