/**
 * Each endpoint's share of a worker process: at most `share` of its requests in flight
 * and `share` of its running jobs belong to one endpoint, so a dead, slow or tarpit
 * receiver holds its share and delays only itself; the rest of the slots serve everyone
 * else. Requests beyond an endpoint's share wait for one of its own slots (they never
 * hold a shared one while waiting); jobs beyond it are not fetched at all (the endpoint's
 * flag is forbidden to graphile-worker until a job of it ends).
 */
import pLimit, { type LimitFunction } from 'p-limit';
import { endpointFlag } from '../deliveries/deliverJobs.ts';

export interface FairShare {
  /** Runs `send` in one of the endpoint's request slots, then one of the process's. */
  send<T>(endpointId: string, send: () => Promise<T>): Promise<T>;
  /**
   * A job of the endpoint starts: the function to call when it ends, or null when the
   * endpoint already runs its share of jobs (a job fetched in a batch before the
   * endpoint's flag was forbidden): the caller puts that one back for later.
   */
  startJob(endpointId: string): (() => void) | null;
  /** The flags of endpoints whose jobs must not be fetched now, or null when none (graphile's forbiddenFlags). */
  forbiddenFlags(): string[] | null;
}

/** Slots one endpoint may hold out of `slots`: `fraction` of them, at least one. */
export function shareOf(slots: number, fraction: number): number {
  return Math.max(1, Math.ceil(slots * fraction));
}

export function createFairShare(options: { slots: number; share: number }): FairShare {
  const shared = pLimit(options.slots);
  const perEndpoint = new Map<string, LimitFunction>();
  const runningJobs = new Map<string, number>();
  const saturated = new Set<string>();

  const limiterOf = (endpointId: string) => {
    let limit = perEndpoint.get(endpointId);
    if (!limit) {
      limit = pLimit(options.share);
      perEndpoint.set(endpointId, limit);
    }
    return limit;
  };

  return {
    async send(endpointId, send) {
      const limit = limiterOf(endpointId);
      try {
        return await limit(() => shared(send));
      } finally {
        // Forget idle endpoints, so the map holds only those with work.
        if (limit.activeCount === 0 && limit.pendingCount === 0) perEndpoint.delete(endpointId);
      }
    },
    startJob(endpointId) {
      if ((runningJobs.get(endpointId) ?? 0) >= options.share) return null;
      const running = (runningJobs.get(endpointId) ?? 0) + 1;
      runningJobs.set(endpointId, running);
      if (running >= options.share) saturated.add(endpointFlag(endpointId));
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        const left = (runningJobs.get(endpointId) ?? 1) - 1;
        if (left === 0) runningJobs.delete(endpointId);
        else runningJobs.set(endpointId, left);
        if (left < options.share) saturated.delete(endpointFlag(endpointId));
      };
    },
    forbiddenFlags: () => (saturated.size === 0 ? null : [...saturated]),
  };
}
