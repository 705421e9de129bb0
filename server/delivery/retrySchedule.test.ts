import { describe, expect, test } from 'vitest';
import { defaultRetryPolicy, retryPolicySchema } from '../endpoints/retryPolicy.ts';
import { nextRetryDelay, parseRetryAfter } from './retrySchedule.ts';

describe('nextRetryDelay', () => {
  test('the default policy is the original spec: 3 attempts, +2 s, +4 s, then give up', () => {
    expect(defaultRetryPolicy.maxAttempts).toBe(3);
    expect(nextRetryDelay(defaultRetryPolicy, 1)).toBe(2_000);
    expect(nextRetryDelay(defaultRetryPolicy, 2)).toBe(4_000);
    expect(nextRetryDelay(defaultRetryPolicy, 3)).toBeNull();
  });

  test('exponential delays stop growing at the cap', () => {
    const policy = retryPolicySchema.parse({ maxAttempts: 10, baseDelayMs: 1000, factor: 3, maxDelayMs: 20_000 });
    expect([1, 2, 3, 4, 5].map((n) => nextRetryDelay(policy, n))).toEqual([1000, 3000, 9000, 20_000, 20_000]);
  });

  test('an explicit schedule replaces the rule and sets the number of attempts', () => {
    const policy = retryPolicySchema.parse({ maxAttempts: 10, schedule: [0, 5_000, 60_000] });
    expect(policy.maxAttempts).toBe(4);
    expect([1, 2, 3, 4].map((n) => nextRetryDelay(policy, n))).toEqual([0, 5_000, 60_000, null]);
  });

  test('jitter spreads a delay by at most ± its fraction', () => {
    const policy = retryPolicySchema.parse({ jitter: 0.5 });
    expect(nextRetryDelay(policy, 1, { random: () => 0 })).toBe(1_000);
    expect(nextRetryDelay(policy, 1, { random: () => 0.5 })).toBe(2_000);
    expect(nextRetryDelay(policy, 1, { random: () => 0.999999 })).toBe(3_000);
  });

  test('Retry-After is a floor, clamped to the cap', () => {
    const policy = retryPolicySchema.parse({ maxDelayMs: 30_000 });
    expect(nextRetryDelay(policy, 1, { retryAfterMs: 10_000 })).toBe(10_000);
    expect(nextRetryDelay(policy, 1, { retryAfterMs: 500 })).toBe(2_000);
    expect(nextRetryDelay(policy, 1, { retryAfterMs: 3_600_000 })).toBe(30_000);
  });

  test('Retry-After does not bring back a used-up policy', () => {
    expect(nextRetryDelay(defaultRetryPolicy, 3, { retryAfterMs: 1_000 })).toBeNull();
  });
});

describe('parseRetryAfter', () => {
  test('reads seconds and HTTP dates', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });
});
