/**
 * Expensive operations take turns. An operation's cost (queryCost.ts) bounds what it can
 * read; one costing more than half the limit is heavy, and heavy operations run at most
 * `concurrency` at a time in a process, the others waiting their turn for up to `waitMs`
 * and then refused as `too_many_requests`. A reader looping on heavy queries (or several
 * of them) then holds one turn of the api process's one thread, not one per request, and
 * producers sending events to the same process keep theirs.
 *
 * Turns go round the callers (access tokens): the next is the oldest waiting operation of
 * the caller served longest ago. In plain arrival order, one caller sending a hundred
 * heavy queries at once would put everyone else's behind all of them, past their wait.
 *
 * The dashboard's own operations all cost at most half the limit
 * (test/graphql.query-limits.test.ts), so they never wait here.
 */
import { AppError } from '../errors.ts';

export interface HeavyGate {
  /**
   * Waits for a turn of `caller` (its access token); the returned function ends it (once,
   * however often called). Throws `too_many_requests` past the wait.
   */
  enter(caller?: string): Promise<() => void>;
  /** Operations running and waiting: for tests and metrics. */
  readonly running: number;
  readonly waiting: number;
}

interface Caller {
  /** Its operations waiting, oldest first: each starts its turn. */
  queue: (() => void)[];
  running: number;
  /** When it last got a turn (a count of turns given). */
  servedAt: number;
}

export function createHeavyGate(options: { concurrency: number; waitMs: number }): HeavyGate {
  const callers = new Map<string, Caller>();
  let running = 0;
  let waiting = 0;
  let turnsGiven = 0;

  const forgetIfIdle = (name: string, caller: Caller) => {
    if (caller.queue.length === 0 && caller.running === 0) callers.delete(name);
  };

  const startTurn = (name: string, caller: Caller, start: () => void) => {
    running += 1;
    caller.running += 1;
    turnsGiven += 1;
    caller.servedAt = turnsGiven;
    start();
  };

  const giveTurns = () => {
    while (running < options.concurrency) {
      let next: [string, Caller] | undefined;
      for (const entry of callers)
        if (entry[1].queue.length > 0 && (!next || entry[1].servedAt < next[1].servedAt)) next = entry;
      if (!next) return;
      waiting -= 1;
      startTurn(next[0], next[1], next[1].queue.shift()!);
    }
  };

  return {
    enter(name = '') {
      const caller = callers.get(name) ?? { queue: [], running: 0, servedAt: 0 };
      callers.set(name, caller);
      return new Promise((resolve, reject) => {
        let ended = false;
        const end = () => {
          if (ended) return;
          ended = true;
          running -= 1;
          caller.running -= 1;
          forgetIfIdle(name, caller);
          giveTurns();
        };
        const start = () => {
          clearTimeout(timer);
          resolve(end);
        };
        const timer = setTimeout(() => {
          const index = caller.queue.indexOf(start);
          if (index < 0) return;
          caller.queue.splice(index, 1);
          waiting -= 1;
          forgetIfIdle(name, caller);
          reject(
            new AppError(
              'too_many_requests',
              `Other expensive operations are running; this one waited ${options.waitMs / 1000} s for its turn. ` +
                'Try again, or ask for less (smaller pages, fewer nested lists).',
            ),
          );
        }, options.waitMs);
        caller.queue.push(start);
        waiting += 1;
        giveTurns();
      });
    },
    get running() {
      return running;
    },
    get waiting() {
      return waiting;
    },
  };
}
