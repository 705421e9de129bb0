/**
 * Jobs put back: a `deliver` job whose endpoint already runs its share in this worker
 * (fairShare.ts) goes back to the queue, for any worker, due about when a turn should be
 * free for it. Each job put back is booked one turn after the one before it, so a backlog
 * put back together (a burst's, a failing endpoint's retries) comes back at the pace the
 * endpoint gets through it, once, instead of going round the queue every half second:
 * that fetching and putting back crowded out every other endpoint's jobs.
 *
 * The pace is a guess from how long the endpoint's jobs took so far. When the endpoint
 * has room sooner than booked (a receiver that recovered answers fast again, a backlog's
 * waiting jobs ran out), jobs booked for later are made due at once, as many as it has
 * room for, so a guess that was too slow never leaves an endpoint idle with work waiting.
 */
import type pg from 'pg';
import { addDeliverJobs, dueNow, mergeDeliverPayloads } from '../deliveries/deliverJobs.ts';
import { coerceError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { FairShare } from './fairShare.ts';

/** A job put back is due again after at least this, in ms. */
export const PUT_BACK_MIN_MS = 500;
/** And at most this (a longer booking is not kept: the job is then put back again if need be), in ms. */
const PUT_BACK_MAX_MS = 60_000;
/**
 * Jobs of one endpoint put back within this long go back together: one statement, their
 * deliveries in as few jobs as fit (a backlog's jobs were put back one statement each), in ms.
 */
const GATHER_MS = 10;
/** Bookings remembered per endpoint: beyond them, jobs put back simply come when due. */
const MAX_BOOKED = 10_000;
/**
 * A job made due now is counted on its way here for this long (graphile-worker is told at
 * once); one that has not come by then went to another worker, in ms.
 */
const ON_ITS_WAY_MS = 1_000;

export interface PutBack {
  /** Puts the job (its payload as JSON) back in the queue, due about when the endpoint should have a turn for it. */
  job(endpointKey: string, payload: string): Promise<void>;
  /** A job of the endpoint starts here (one made due now has arrived). */
  started(endpointKey: string, jobId: string): void;
  /**
   * A job of the endpoint ended here: if the endpoint has room for more (fairShare.ts),
   * that many of its jobs booked for later, less those on their way, become due now.
   */
  ended(endpointKey: string): void;
}

interface Booking {
  /** Null until the job is added. */
  jobId: string | null;
  /** When it is due (ms since the epoch). */
  at: number;
}

export function createPutBack(deps: {
  db: pg.Pool;
  fairShare: Pick<FairShare, 'pace' | 'room'>;
  logger: Logger;
}): PutBack {
  /** Per endpoint, the jobs put back and not yet due, in the order they are due. */
  const booked = new Map<string, Booking[]>();
  /** Per endpoint, the jobs made due now that have not started here yet, and when they were. */
  const onTheirWay = new Map<string, Map<string, number>>();
  /** Endpoints whose booked jobs are being made due now. */
  const pulling = new Set<string>();
  /** Endpoints to look at again once the jobs on their way should have come. */
  const rechecks = new Map<string, NodeJS.Timeout>();

  /** The endpoint's bookings still ahead (those due are forgotten: their jobs come on their own). */
  const ahead = (endpointKey: string, at: number): Booking[] => {
    const bookings = booked.get(endpointKey) ?? [];
    const firstAhead = bookings.findIndex((booking) => booking.at > at);
    const kept = firstAhead === -1 ? [] : firstAhead === 0 ? bookings : bookings.slice(firstAhead);
    if (kept.length === 0) booked.delete(endpointKey);
    else booked.set(endpointKey, kept);
    return kept;
  };

  /** Jobs of the endpoint on their way here (those that did not come in time are forgotten). */
  const comingOf = (endpointKey: string, at: number): number => {
    const coming = onTheirWay.get(endpointKey);
    if (!coming) return 0;
    for (const [jobId, since] of coming) if (since <= at - ON_ITS_WAY_MS) coming.delete(jobId);
    if (coming.size === 0) onTheirWay.delete(endpointKey);
    return coming.size;
  };

  /** Looks at the endpoint again once jobs on their way should have come: if another worker took them, no job ends here to do it. */
  const recheck = (endpointKey: string) => {
    if (rechecks.has(endpointKey)) return;
    const timer = setTimeout(() => {
      rechecks.delete(endpointKey);
      pull(endpointKey);
    }, ON_ITS_WAY_MS);
    timer.unref();
    rechecks.set(endpointKey, timer);
  };

  const pull = (endpointKey: string) => {
    if (pulling.has(endpointKey)) return;
    const at = Date.now();
    const coming = comingOf(endpointKey, at);
    if (!booked.has(endpointKey)) return;
    const wanted = deps.fairShare.room(endpointKey) - coming;
    if (wanted <= 0) {
      if (coming > 0) recheck(endpointKey);
      return;
    }
    const bookings = ahead(endpointKey, at);
    // The next booked jobs: those due within the least wait come anyway.
    const next = bookings.splice(0, wanted);
    if (bookings.length === 0) booked.delete(endpointKey);
    const jobIds = next.flatMap((booking) =>
      booking.jobId !== null && booking.at > at + PUT_BACK_MIN_MS ? [booking.jobId] : [],
    );
    if (jobIds.length === 0) return;
    const arriving = onTheirWay.get(endpointKey) ?? new Map<string, number>();
    for (const jobId of jobIds) arriving.set(jobId, at);
    onTheirWay.set(endpointKey, arriving);
    pulling.add(endpointKey);
    dueNow(deps.db, jobIds)
      .catch((error: unknown) =>
        // They stay due when booked: later than they could have gone, never lost.
        deps.logger.warn(
          { err: coerceError(error), endpointKey },
          `Could not make ${jobIds.length} put-back deliver jobs due now; they come when booked.`,
        ),
      )
      .finally(() => {
        pulling.delete(endpointKey);
        if (booked.has(endpointKey)) recheck(endpointKey);
      });
  };

  /** Jobs being put back together, per endpoint, and their tasks waiting until they are back. */
  const gathering = new Map<
    string,
    { payloads: string[]; waiters: { resolve: () => void; reject: (error: unknown) => void }[] }
  >();

  /** Books a turn for each job and adds them all in one statement; their tasks end once they are back. */
  const putBackGathered = async (endpointKey: string) => {
    const gathered = gathering.get(endpointKey);
    gathering.delete(endpointKey);
    if (!gathered) return;
    let mine: Booking[] = [];
    try {
      const payloads = mergeDeliverPayloads(gathered.payloads);
      const at = Date.now();
      const bookings = ahead(endpointKey, at);
      const { firstMs, apartMs } = deps.fairShare.pace(endpointKey);
      mine = payloads.map(() => {
        const last = bookings.at(-1)?.at ?? 0;
        const due = Math.min(at + PUT_BACK_MAX_MS, Math.max(at + PUT_BACK_MIN_MS, at + firstMs, last + apartMs));
        // Booked before the jobs are added, so jobs put back meanwhile book the turns after them.
        const booking: Booking = { jobId: null, at: due };
        if (bookings.length < MAX_BOOKED) bookings.push(booking);
        return booking;
      });
      if (bookings.length > 0) booked.set(endpointKey, bookings);
      const jobIds = await addDeliverJobs(
        deps.db,
        payloads,
        mine.map((booking) => new Date(booking.at)),
      );
      mine.forEach((booking, i) => (booking.jobId = jobIds[i] ?? null));
      for (const waiter of gathered.waiters) waiter.resolve();
    } catch (error) {
      // Not put back: their tasks fail and graphile-worker runs the jobs again; their turns are free.
      const kept = booked.get(endpointKey)?.filter((booking) => !mine.includes(booking));
      if (kept?.length) booked.set(endpointKey, kept);
      else booked.delete(endpointKey);
      for (const waiter of gathered.waiters) waiter.reject(error);
    }
  };

  return {
    job(endpointKey, payload) {
      return new Promise<void>((resolve, reject) => {
        let gathered = gathering.get(endpointKey);
        if (!gathered) {
          gathered = { payloads: [], waiters: [] };
          gathering.set(endpointKey, gathered);
          setTimeout(() => void putBackGathered(endpointKey), GATHER_MS);
        }
        gathered.payloads.push(payload);
        gathered.waiters.push({ resolve, reject });
      });
    },

    started(endpointKey, jobId) {
      const coming = onTheirWay.get(endpointKey);
      if (coming?.delete(jobId) && coming.size === 0) onTheirWay.delete(endpointKey);
    },

    ended: pull,
  };
}
