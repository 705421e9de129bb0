/**
 * Writes accepted events with group commit (db/groupCommit.ts). Every accepted event must
 * be committed before its 202, and a transaction that adds a graphile-worker job also
 * sends a notification, which PostgreSQL serialises across committing transactions: one
 * transaction per event capped ingest at a few hundred events per second. Events
 * accepted together share one transaction and one `add_jobs`.
 */
import { createGroupCommit, type GroupCommit } from '../db/groupCommit.ts';
import type { Queryable } from '../db/queryable.ts';
import { insertEvents, type NewEvent } from './sql/insertEvents.ts';

export type EventWriter = GroupCommit<NewEvent, void>;

export function createEventWriter(db: Queryable, options: { maxBatch?: number; maxConcurrent?: number } = {}): EventWriter {
  return createGroupCommit<NewEvent, void>(async (events) => {
    await insertEvents(db, events);
    return events.map(() => undefined);
  }, options);
}
