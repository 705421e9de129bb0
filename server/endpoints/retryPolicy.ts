/**
 * An endpoint's retry policy: how many attempts and how far apart. The default is the
 * original specification's: 3 attempts, immediately, then after 2 s and 4 s (2^n s).
 * Stored as JSON on the endpoint, validated here when written.
 */
import { z } from 'zod';

const DAY_MS = 24 * 3600_000;

export const retryPolicySchema = z
  .object({
    /** Attempts in all, the first one included. */
    maxAttempts: z.int().min(1).max(50).default(3),
    /** Delay before the second attempt, in ms. */
    baseDelayMs: z.int().min(0).max(DAY_MS).default(2_000),
    /** Each further delay is the previous one times this. */
    factor: z.number().min(1).max(10).default(2),
    /** No delay is longer than this, in ms. */
    maxDelayMs: z
      .int()
      .min(0)
      .max(7 * DAY_MS)
      .default(3_600_000),
    /** Spread each delay by up to ± this fraction, so failing receivers are not hit in lockstep. */
    jitter: z.number().min(0).max(1).default(0),
    /** Explicit delays in ms between attempts; when given, it replaces the exponential rule and sets maxAttempts to its length + 1. */
    schedule: z
      .array(
        z
          .int()
          .min(0)
          .max(7 * DAY_MS),
      )
      .max(49)
      .default([]),
  })
  .transform((policy) =>
    policy.schedule.length > 0 ? { ...policy, maxAttempts: policy.schedule.length + 1 } : policy,
  );

export type RetryPolicy = z.output<typeof retryPolicySchema>;
export type RetryPolicyInput = z.input<typeof retryPolicySchema>;

export const defaultRetryPolicy: RetryPolicy = retryPolicySchema.parse({});
