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
import { insertEvents, type NewEvent } from './sql/insertEvents.ts';

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

/** Writes of one event, at most: the first, and again after a key changed hands. */
const MAX_WRITES = 3;

/**
 * Keyed bodies per batch past which it claims its keys at once: a taken key fails the
 * plain statement only after the bodies before it are written (and TOASTed), so for
 * large bodies the few microseconds ON CONFLICT costs per event are the cheaper bet.
 */
const CLAIM_AT_ONCE_BYTES = 256 * 1024;

/** How long after a taken key this process claims keys at once: repeats come in storms (producers' retries). */
const CLAIM_AT_ONCE_MS = 10_000;

export function createEventWriter(pool: pg.Pool, options: EventWriterOptions = {}): EventWriter {
  const { idempotencyWindowHours: windowHours = 24, ...groupCommit } = options;
  let claimAtOnceUntil = 0;
  const keys: KeyPolicy = {
    windowHours,
    claimAtOnce: (events) =>
      Date.now() < claimAtOnceUntil ||
      repeatsKey(events) ||
      events.reduce((sum, e) => sum + (e.idempotencyKey === undefined ? 0 : e.body.length), 0) > CLAIM_AT_ONCE_BYTES,
    sawTakenKey: () => {
      claimAtOnceUntil = Date.now() + CLAIM_AT_ONCE_MS;
    },
  };
  const batches = createGroupCommit<NewEvent, WrittenEvent | WriteAgain>((events) => writeEvents(pool, events, keys), {
    concurrentAt: CONCURRENT_AT,
    weigh: (event) => event.body.length,
    maxBatchWeight: MAX_BATCH_BYTES,
    ...groupCommit,
  });
  return {
    /**
     * A key can change hands between a claim and the read of its owner: its window was
     * over (the key is still on its old event until a claim finds it: it is taken off
     * here, outside any batch), or another request took it off an expired event, or its
     * event was erased, just then. The event is written again, a few times at most; a
     * key still without an owner after that is a 503 the producer can retry.
     */
    async submit(event, signal) {
      for (let write = 1; ; write++) {
        const written = await batches.submit(event, signal);
        if (!('again' in written)) return written;
        if (write === MAX_WRITES) return { stored: false, original: null };
        if (written.again === 'expired') await releaseExpiredKey(pool, written.eventId, windowHours);
      }
    },
    drain: () => batches.drain(),
  };
}

/** An event to write again: its key's owner is outside the window, or it has none any more. */
type WriteAgain = { again: 'expired'; eventId: string } | { again: 'unowned' };

interface KeyPolicy {
  windowHours: number;
  /** Whether a batch with keys skips the plain statement. */
  claimAtOnce(events: NewEvent[]): boolean;
  sawTakenKey(): void;
}

/**
 * One batch, one statement. A batch with idempotency keys first goes as if every key
 * were new, which they nearly always are: its insert is then the plain one plus the key
 * column, and keyed events go first, so a taken key fails it early. A taken key (any
 * unique violation: also a batch written again after a commit whose outcome was lost)
 * fails that statement whole, storing nothing; the batch then goes again claiming its
 * keys (ON CONFLICT DO NOTHING), storing only the events whose claim wins, as batches do
 * at once where repeats are likely (KeyPolicy). Every other keyed event repeats an
 * earlier request (in this batch, in another transaction, or in another process), whose
 * event is committed by the time this statement is: it is read afterwards. Nothing may
 * throw after the commit (group commit would write the batch again, one by one).
 */
async function writeEvents(pool: pg.Pool, events: NewEvent[], keys: KeyPolicy): Promise<(WrittenEvent | WriteAgain)[]> {
  const withKeys = events.some((event) => event.idempotencyKey !== undefined);
  const notStored =
    withKeys && keys.claimAtOnce(events)
      ? await insertEvents(pool, events, { repeats: true })
      : await insertEvents(pool, events).catch((error: unknown) => {
          if (!withKeys || (error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
          keys.sawTakenKey();
          return insertEvents(pool, events, { repeats: true });
        });
  if (notStored.size === 0) return events.map(() => ({ stored: true }));
  const repeats = new Map<string, { mailboxId: string; key: string }>();
  for (const event of events) {
    if (notStored.has(event.id)) {
      repeats.set(claimKey(event.mailboxId, event.idempotencyKey!), {
        mailboxId: event.mailboxId,
        key: event.idempotencyKey!,
      });
    }
  }
  const claimed = await findClaimedKeys(pool, [...repeats.values()], keys.windowHours).catch(
    () => new Map<string, ClaimedKey>(),
  );
  return events.map((event): WrittenEvent | WriteAgain => {
    if (!notStored.has(event.id)) return { stored: true };
    const original = claimed.get(claimKey(event.mailboxId, event.idempotencyKey!));
    if (!original) return { again: 'unowned' };
    if (original.expired) return { again: 'expired', eventId: original.eventId };
    return { stored: false, original };
  });
}

const UNIQUE_VIOLATION = '23505';

/** Whether a key comes twice in the batch: the second is a repeat for sure. */
function repeatsKey(events: NewEvent[]): boolean {
  const seen = new Set<string>();
  for (const event of events) {
    if (event.idempotencyKey === undefined) continue;
    const at = claimKey(event.mailboxId, event.idempotencyKey);
    if (seen.has(at)) return true;
    seen.add(at);
  }
  return false;
}
