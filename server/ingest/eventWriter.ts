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
import type pg from 'pg';
import { createGroupCommit, type GroupCommit, type GroupCommitOptions } from '../db/groupCommit.ts';
import { claimKey, firstClaims, type OriginalRequest } from './idempotency.ts';
import { findIdempotencyKeys } from './sql/idempotencyKeys.ts';
import { insertEvents, type NewEvent } from './sql/insertEvents.ts';

/**
 * What became of an event: stored, or not stored because its idempotency key was already
 * claimed by an earlier request, whose outcome is given (null if it could not be read);
 * acceptEvent decides the answer (idempotency.ts).
 */
export type WrittenEvent = { stored: true } | { stored: false; original: OriginalRequest | null };

export type EventWriter = GroupCommit<NewEvent, WrittenEvent>;

/** Events waiting behind the transaction in flight before a second one starts. */
const CONCURRENT_AT = 16;

/**
 * Bodies per transaction, at most, in bytes: every body of a batch is copied into the
 * statement's parameters, so a batch of a hundred 1 MiB bodies held several hundred MB at
 * once. Small events still go a hundred at a time.
 */
const MAX_BATCH_BYTES = 4 * 1024 * 1024;

export interface EventWriterOptions extends GroupCommitOptions<NewEvent> {
  /** How long an idempotency key counts, in hours. Default 24. */
  idempotencyWindowHours?: number;
}

export function createEventWriter(pool: pg.Pool, options: EventWriterOptions = {}): EventWriter {
  const { idempotencyWindowHours = 24, ...groupCommit } = options;
  return createGroupCommit<NewEvent, WrittenEvent>((events) => writeEvents(pool, events, idempotencyWindowHours), {
    concurrentAt: CONCURRENT_AT,
    weigh: (event) => event.body.length,
    maxBatchWeight: MAX_BATCH_BYTES,
    ...groupCommit,
  });
}

/**
 * One batch, one statement. With idempotency keys, the statement claims them first and
 * stores only events without a key or whose claim won. Every other keyed event repeats
 * an earlier request (in this batch, in another transaction, or in another process),
 * whose key row is committed by the time this statement is: it is answered from that row
 * afterwards. Nothing may throw after the commit (group commit would write the batch
 * again, one by one).
 */
async function writeEvents(pool: pg.Pool, events: NewEvent[], windowHours: number): Promise<WrittenEvent[]> {
  const claims = firstClaims(events);
  if (claims.length === 0) {
    await insertEvents(pool, events);
    return events.map(() => ({ stored: true }));
  }
  const won = await insertEvents(pool, events, { claims, windowHours });
  const repeats = events.filter((event) => event.idempotency && !won.has(event.id));
  const originals =
    repeats.length > 0
      ? await findIdempotencyKeys(
          pool,
          repeats.map((event) => ({ mailboxId: event.mailboxId, key: event.idempotency!.key })),
        ).catch(() => new Map<string, OriginalRequest>())
      : new Map<string, OriginalRequest>();
  return events.map((event): WrittenEvent => {
    if (!event.idempotency || won.has(event.id)) return { stored: true };
    return { stored: false, original: originals.get(claimKey(event.mailboxId, event.idempotency.key)) ?? null };
  });
}
