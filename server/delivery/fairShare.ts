/**
 * Each endpoint's share of a worker process: at most `share` of its requests in flight
 * and `share` of its running jobs belong to one endpoint, so a dead, slow or tarpit
 * receiver holds its share and delays only itself; the rest of the slots serve everyone
 * else. Requests beyond an endpoint's share wait for one of its own slots (they never
 * hold a shared one while waiting).
 *
 * A job beyond its endpoint's share of jobs may wait for one of them to end, if the
 * endpoint answers quickly (requests under SLOW_REQUEST_MS) and mostly with success: a
 * busy endpoint's backlog (a burst's) then runs turn after turn, handed from job to job,
 * without going back through the database. Waiting jobs hold no request slot (the worker
 * has twice as many job slots as request slots: runner.ts); at most a share of one
 * endpoint's jobs wait, and at most all but two shares of the job slots in all; a slow or
 * failing endpoint's jobs and a bulk replay's never wait. Those that do not get a turn go
 * back to the queue, due about when a turn should be free for them (putBack.ts, at the
 * pace measured here).
 *
 * Why not graphile-worker's forbiddenFlags: while any flag is forbidden graphile-worker
 * fetches jobs one at a time and the batch it already fetched waits (up to its local
 * queue's TTL), so one busy endpoint — a bulk replay's, a slow receiver's — delayed every
 * other endpoint's deliveries by seconds.
 */
import pLimit from 'p-limit';
import { keyedLimit } from '../keyedLimit.ts';

/** How long a job waits for a turn: about when its turn should come, within these bounds (ms). */
export const JOB_WAIT_MIN_MS = 250;
const JOB_WAIT_MAX_MS = 10_000;
/** An endpoint whose requests take longer than this (a slow or dead receiver) gets no waiting jobs, in ms. */
export const SLOW_REQUEST_MS = 1_000;

export interface FairShare {
  /** Runs `send` in one of the endpoint's request slots, then one of the process's. */
  send<T>(endpointId: string, send: () => Promise<T>): Promise<T>;
  /**
   * A job of the endpoint starts: resolves to the function to call when it ends, once the
   * endpoint runs fewer than its share of jobs, or to null when it runs its share and the
   * job may not wait (or its wait ended without a turn): the caller puts that one back.
   */
  startJob(endpointId: string, options: { mayWait: boolean }): Promise<(() => void) | null>;
  /** How long the endpoint's jobs have been taking here, in ms (0 when unknown). */
  typicalJobMs(endpointId: string): number;
  /** How long the endpoint's requests have been taking here, in ms, or null when unknown. */
  typicalRequestMs(endpointId: string): number | null;
  /**
   * The pace of the endpoint's turns here, for jobs put back (putBack.ts): how long until
   * the jobs it runs and keeps waiting are through (`firstMs`), and how long one turn
   * takes after that (`apartMs`: one job per share).
   */
  pace(endpointId: string): { firstMs: number; apartMs: number };
  /**
   * How many more of the endpoint's jobs this process could take now without putting one
   * back: its free turns, and for an endpoint whose jobs may wait, room for a share of
   * them to wait (within the process's room for waiting jobs).
   */
  room(endpointId: string): number;
  /** An attempt's outcome: a slow or failing endpoint's jobs do not wait for turns (they would only hold slots). */
  outcome(endpointId: string, outcome: { ok: boolean; durationMs: number }): void;
}

/** Slots one endpoint may hold out of `slots`: `fraction` of them, at least one. */
export function shareOf(slots: number, fraction: number): number {
  return Math.max(1, Math.ceil(slots * fraction));
}

interface EndpointJobs {
  running: number;
  /** Jobs waiting for a turn, first come first served; each is handed the turn of a job that ends. */
  waiting: ((turn: boolean) => void)[];
  /** Moving averages of how long its jobs and its requests took, in ms. */
  typicalJobMs: number;
  typicalRequestMs: number;
  /** Moving average of its attempts that failed, 0 to 1. */
  failing: number;
  /** When each of its requests out now left (ms since the epoch): one out for long makes it slow before any answer says so. */
  out: number[];
}

const average = (before: number, sample: number) => (before === 0 ? sample : Math.round(before * 0.8 + sample * 0.2));

export function createFairShare(options: {
  slots: number;
  share: number;
  /** The worker's job slots (graphile-worker's concurrency), when not `slots`. */
  jobSlots?: number;
  jobWaitMinMs?: number;
  slowRequestMs?: number;
}): FairShare {
  const shared = pLimit(options.slots);
  /** Each endpoint's own request slots: a share of them. */
  const perEndpoint = keyedLimit(options.share);
  const jobs = new Map<string, EndpointJobs>();
  const jobWaitMinMs = options.jobWaitMinMs ?? JOB_WAIT_MIN_MS;
  const slowRequestMs = options.slowRequestMs ?? SLOW_REQUEST_MS;
  /** Jobs waiting for a turn, all endpoints together, and how many may: all but two shares of the job slots. */
  let waitingInAll = 0;
  const maxWaiting = Math.max(1, (options.jobSlots ?? options.slots) - 2 * options.share);

  /** How long the endpoint's oldest request out now has been out, in ms (0: none out). */
  const oldestOutMs = (state: EndpointJobs | undefined) => (state?.out.length ? Date.now() - state.out[0]! : 0);

  /** Whether the endpoint's jobs may wait for a turn: it answers quickly and mostly with success. */
  const mayWaitHere = (state: EndpointJobs) =>
    state.typicalRequestMs < slowRequestMs &&
    state.failing < 0.5 &&
    // No request out for longer than a slow one takes (a tarpit's first, before any timeout).
    oldestOutMs(state) <= slowRequestMs;

  /**
   * Places for more of the endpoint's jobs to wait: at most a share of them (one endpoint's
   * backlog must not take every job slot), within the process's room for waiting jobs.
   */
  const placesToWait = (state: EndpointJobs | undefined) =>
    Math.max(0, Math.min(options.share - (state?.waiting.length ?? 0), maxWaiting - waitingInAll));

  const jobsOf = (endpointId: string) => {
    let state = jobs.get(endpointId);
    if (!state) {
      state = { running: 0, waiting: [], typicalJobMs: 0, typicalRequestMs: 0, failing: 0, out: [] };
      jobs.set(endpointId, state);
    }
    return state;
  };

  /** The end of one running job of the endpoint: its turn goes to the first waiting job, if any. */
  const ender = (endpointId: string, state: EndpointJobs) => {
    const started = Date.now();
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      state.typicalJobMs = average(state.typicalJobMs, Date.now() - started);
      const next = state.waiting.shift();
      if (next) return next(true);
      state.running--;
      // Forget idle endpoints, so the map holds only those with work (a fresh start forgets their timing too).
      if (state.running === 0 && state.waiting.length === 0) jobs.delete(endpointId);
    };
  };

  const waitForTurn = (state: EndpointJobs) =>
    new Promise<boolean>((resolve) => {
      waitingInAll++;
      const waiter = (got: boolean) => {
        clearTimeout(timer);
        waitingInAll--;
        resolve(got);
      };
      const timer = setTimeout(
        () => {
          state.waiting.splice(state.waiting.indexOf(waiter), 1);
          waiter(false);
        },
        // About when its turn comes: `share` turns per typical job, those ahead first.
        Math.min(
          JOB_WAIT_MAX_MS,
          Math.max(jobWaitMinMs, state.typicalJobMs * (2 + state.waiting.length / options.share)),
        ),
      );
      state.waiting.push(waiter);
    });

  return {
    send(endpointId, send) {
      return perEndpoint(endpointId, () =>
        shared(async () => {
          const out = jobs.get(endpointId)?.out;
          const left = Date.now();
          out?.push(left);
          try {
            return await send();
          } finally {
            out?.splice(out.indexOf(left), 1);
          }
        }),
      );
    },
    async startJob(endpointId, { mayWait }) {
      const state = jobsOf(endpointId);
      if (state.running < options.share) {
        state.running++;
        return ender(endpointId, state);
      }
      if (!mayWait || !mayWaitHere(state) || placesToWait(state) === 0) return null;
      return (await waitForTurn(state)) ? ender(endpointId, state) : null;
    },
    typicalJobMs: (endpointId) => jobs.get(endpointId)?.typicalJobMs ?? 0,
    typicalRequestMs: (endpointId) => jobs.get(endpointId)?.typicalRequestMs || null,
    pace(endpointId) {
      const state = jobs.get(endpointId);
      // A job takes at least as long as its oldest request out has been (a tarpit's, before its first timeout).
      const jobMs = Math.max(state?.typicalJobMs ?? 0, oldestOutMs(state));
      return {
        firstMs: jobMs * (1 + (state?.waiting.length ?? 0) / options.share),
        apartMs: jobMs / options.share,
      };
    },
    room(endpointId) {
      const state = jobs.get(endpointId);
      // An endpoint with no job here: all its turns, and (nothing known against it) room to wait.
      const free = state ? Math.max(0, options.share - state.running) : options.share;
      if (state && !mayWaitHere(state)) return free;
      return free + placesToWait(state);
    },
    outcome(endpointId, { ok, durationMs }) {
      const state = jobs.get(endpointId);
      if (!state) return;
      state.typicalRequestMs = average(state.typicalRequestMs, durationMs);
      state.failing = state.failing * 0.8 + (ok ? 0 : 0.2);
    },
  };
}
