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
import { claimKey, type OriginalEvent } from './idempotency.ts';
import { findClaimedKeys, releaseExpiredKey, type ClaimedKey } from './sql/idempotencyKeys.ts';
import { IDEMPOTENCY_KEY_INDEX, insertEvents, type NewEvent } from './sql/insertEvents.ts';

/**
 * What became of an event: stored, or not stored because its idempotency key was already
 * claimed by an earlier event within the window, which is given (null if it could not be
 * read); acceptEvent decides the answer (idempotency.ts).
 */
export type WrittenEvent = { stored: true } | { stored: false; original: OriginalEvent | null };

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
  const { idempotencyWindowHours: windowHours = 24, ...groupCommit } = options;
  const batches = createGroupCommit<NewEvent, WrittenEvent | Expired>(
    (events) => writeEvents(pool, events, windowHours),
    {
      concurrentAt: CONCURRENT_AT,
      weigh: (event) => event.body.length,
      maxBatchWeight: MAX_BATCH_BYTES,
      ...groupCommit,
    },
  );
  return {
    /**
     * A key whose window is over is still on its old event until a claim finds it: it is
     * taken off, outside any batch, and the event is written again. Once: a second
     * conflict means another request claimed the key meanwhile, and this is its repeat.
     */
    async submit(event, signal) {
      const written = await batches.submit(event, signal);
      if (!('expiredOn' in written)) return written;
      await releaseExpiredKey(pool, written.expiredOn, windowHours);
      const again = await batches.submit(event, signal);
      return 'expiredOn' in again ? { stored: false, original: null } : again;
    },
    drain: () => batches.drain(),
  };
}

/** An event whose key was last claimed by an event outside the window. */
interface Expired {
  expiredOn: string;
}

/**
 * One batch, one statement. A batch with idempotency keys first goes as if every key
 * were new, which they nearly always are: its insert is then the plain one plus the key
 * column. A key already taken fails that statement whole (nothing is stored); the batch
 * then goes again claiming its keys, storing only the events whose claim wins. Every
 * other keyed event repeats an earlier request (in this batch, in another transaction,
 * or in another process), whose event is committed by the time this statement is: it is
 * read afterwards. Nothing may throw after the commit (group commit would write the
 * batch again, one by one).
 */
async function writeEvents(
  pool: pg.Pool,
  events: NewEvent[],
  windowHours: number,
): Promise<(WrittenEvent | Expired)[]> {
  const notStored = await insertEvents(pool, events).catch((error: unknown) => {
    if (!isKeyTaken(error)) throw error;
    return insertEvents(pool, events, { repeats: true });
  });
  if (notStored.size === 0) return events.map(() => ({ stored: true }));
  const repeats = events.filter((event) => notStored.has(event.id));
  const claimed = await findClaimedKeys(
    pool,
    repeats.map((event) => ({ mailboxId: event.mailboxId, key: event.idempotencyKey! })),
    windowHours,
  ).catch(() => new Map<string, ClaimedKey>());
  return events.map((event): WrittenEvent | Expired => {
    if (!notStored.has(event.id)) return { stored: true };
    const original = claimed.get(claimKey(event.mailboxId, event.idempotencyKey!));
    if (original?.expired) return { expiredOn: original.eventId };
    return {
      stored: false,
      original: original ? { eventId: original.eventId, routed: original.routed, identity: original.identity } : null,
    };
  });
}

/** A unique violation of the idempotency key's index: the key was already taken. */
function isKeyTaken(error: unknown): boolean {
  const { code, constraint } = error as { code?: string; constraint?: string };
  return code === '23505' && constraint === IDEMPOTENCY_KEY_INDEX;
}
