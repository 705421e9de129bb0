/**
 * Writes accepted events with group commit (db/groupCommit.ts). Every accepted event must
 * be committed before its 202, and a transaction that adds a graphile-worker job also
 * sends a notification, which PostgreSQL serialises across committing transactions: one
 * transaction per event capped ingest at a few hundred events per second. Events
 * accepted together share one transaction and one `add_jobs`.
 *
 * Those notifications also hold a database-wide lock from just before a commit until it
 * is flushed, so two ingest transactions never commit together: the second only gets
 * its statement done early, then waits. That pays off under a backlog, not at a steady
 * rate: at 2,000 events/s, one transaction at a time (a second only once CONCURRENT_AT
 * events wait) took a sixth less of the machine than two and halved the median wait,
 * and at 64 connections flat out it accepted as many events or more
 * (test/bench/experiments/ingestTail.ts, builds with each setting taken in turns).
 */
import { createGroupCommit, type GroupCommit, type GroupCommitOptions } from '../db/groupCommit.ts';
import type { Queryable } from '../db/queryable.ts';
import { insertEvents, type NewEvent } from './sql/insertEvents.ts';

export type EventWriter = GroupCommit<NewEvent, void>;

/** Events waiting behind the transaction in flight before a second one starts. */
const CONCURRENT_AT = 16;

/**
 * Bodies per transaction, at most, in bytes: every body of a batch is copied into the
 * statement's parameters, so a batch of a hundred 1 MiB bodies held several hundred MB at
 * once. Small events still go a hundred at a time.
 */
const MAX_BATCH_BYTES = 4 * 1024 * 1024;

export function createEventWriter(db: Queryable, options: GroupCommitOptions<NewEvent> = {}): EventWriter {
  return createGroupCommit<NewEvent, void>(
    async (events) => {
      await insertEvents(db, events);
      return events.map(() => undefined);
    },
    {
      concurrentAt: CONCURRENT_AT,
      weigh: (event) => event.body.length,
      maxBatchWeight: MAX_BATCH_BYTES,
      ...options,
    },
  );
}
