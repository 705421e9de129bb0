/**
 * When the next attempt of a delivery is due. Pure: the delivery task passes in the
 * policy, how many attempts were made, a random source and any Retry-After.
 */
import type { RetryPolicy } from '../endpoints/retryPolicy.ts';

export interface RetryOptions {
  /** Uniform in [0, 1); injectable for tests. */
  random?: () => number;
  /** The receiver's Retry-After, in ms: honoured as a floor, within the policy's cap. */
  retryAfterMs?: number | null;
}

/** Delay in ms before the next attempt after `attemptsMade` attempts, or null when the policy is used up. */
export function nextRetryDelay(policy: RetryPolicy, attemptsMade: number, options: RetryOptions = {}): number | null {
  if (attemptsMade >= policy.maxAttempts) return null;
  const index = Math.max(0, attemptsMade - 1);
  let delay =
    policy.schedule.length > 0
      ? (policy.schedule[index] ?? policy.schedule[policy.schedule.length - 1]!)
      : Math.min(policy.maxDelayMs, policy.baseDelayMs * policy.factor ** index);
  if (policy.jitter > 0) {
    const random = options.random ?? Math.random;
    delay = delay * (1 - policy.jitter + 2 * policy.jitter * random());
  }
  if (options.retryAfterMs != null && options.retryAfterMs > delay) {
    delay = Math.min(options.retryAfterMs, Math.max(policy.maxDelayMs, delay));
  }
  return Math.max(0, Math.round(delay));
}

/** Retry-After as ms from `now`: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(header: string | undefined, now: number = Date.now()): number | null {
  if (!header) return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
