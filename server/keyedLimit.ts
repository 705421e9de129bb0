/**
 * A concurrency limit per key (an endpoint, say): at most `concurrency` of one key's tasks
 * run at once, whatever other keys do. A key's limiter is made when its first task comes
 * and forgotten once none of its tasks runs or waits, so the map holds only the keys busy now.
 */
import pLimit, { type LimitFunction } from 'p-limit';

export type KeyedLimit = <T>(key: string, task: () => Promise<T>) => Promise<T>;

export function keyedLimit(concurrency: number): KeyedLimit {
  const limits = new Map<string, LimitFunction>();
  return async (key, task) => {
    let limit = limits.get(key);
    if (!limit) {
      limit = pLimit(concurrency);
      limits.set(key, limit);
    }
    try {
      return await limit(task);
    } finally {
      if (limit.activeCount === 0 && limit.pendingCount === 0) limits.delete(key);
    }
  };
}
