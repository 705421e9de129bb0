import { describe, expect, test } from 'vitest';
import { describeHealthPolicy, describeMaxInFlight, describeRateLimit } from './healthWords.ts';

describe('health settings in words', () => {
  test('the default health policy', () => {
    expect(
      describeHealthPolicy({
        failureThreshold: 5,
        failureRatePercent: 50,
        minAttempts: 20,
        windowMs: 60_000,
        coolDownMs: 30_000,
        maxCoolDownMs: 1_800_000,
        disableAfterMs: 5 * 86_400_000,
      }),
    ).toEqual({
      opens: 'After 5 failures in a row, or 50% of at least 20 attempts within 60 s.',
      rests: '30 s before the first probe, doubling up to 30 min.',
      disables: 'Disabled after failing for 5 days without a success.',
    });
  });

  test('a policy that never disables and does not back off', () => {
    const words = describeHealthPolicy({
      failureThreshold: 1,
      failureRatePercent: 100,
      minAttempts: 1,
      windowMs: 1000,
      coolDownMs: 60_000,
      maxCoolDownMs: 60_000,
      disableAfterMs: 0,
    });
    expect(words.opens).toBe('After 1 failure in a row, or 100% of at least 1 attempts within 1 s.');
    expect(words.rests).toBe('60 s before each probe.');
    expect(words.disables).toBe('Never disabled for failing.');
  });

  test('limits', () => {
    expect(describeRateLimit(null)).toBe('No limit');
    expect(describeRateLimit(1)).toBe('1 delivery a second');
    expect(describeRateLimit(12.5)).toBe('12.5 deliveries a second');
    expect(describeRateLimit(0.1)).toBe('1 delivery every 10 s');
    expect(describeMaxInFlight(null)).toBe("Each worker's fair share");
    expect(describeMaxInFlight(4)).toBe('4 requests at a time');
  });
});
