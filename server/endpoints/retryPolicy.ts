/**
 * An endpoint's retry policy: how many attempts and how far apart. Stored as JSON on the
 * endpoint, validated here when written.
 *
 * Named presets fill in the fields a policy does not give:
 * - `spec` (the default): the original specification's 3 attempts, at once, then after
 *   2 s and 4 s (2^n s). Right for a receiver on the same network, and for trying Hookpost.
 * - `production`: the Standard Webhooks / Svix schedule, 8 attempts over about 27 hours
 *   (at once, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h) with 10 % jitter, so a receiver
 *   that is down for a deploy, a night or an incident still gets everything.
 * The instance default is HOOKPOST_DEFAULT_RETRY_POLICY.
 */
import { z } from 'zod';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY_MS = 24 * HOUR;

export const retryPresetNames = ['spec', 'production'] as const;
export type RetryPresetName = (typeof retryPresetNames)[number];

interface PresetFields {
  maxAttempts: number;
  baseDelayMs: number;
  factor: number;
  maxDelayMs: number;
  jitter: number;
  schedule: number[];
}

export const retryPresets: Record<RetryPresetName, PresetFields> = {
  spec: { maxAttempts: 3, baseDelayMs: 2 * SECOND, factor: 2, maxDelayMs: HOUR, jitter: 0, schedule: [] },
  production: {
    maxAttempts: 8,
    baseDelayMs: 5 * SECOND,
    factor: 2,
    maxDelayMs: 10 * HOUR,
    jitter: 0.1,
    schedule: [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR],
  },
};

export const retryPolicySchema = z
  .object({
    /** The preset whose values fill in the fields not given; default `spec`. */
    preset: z.enum(retryPresetNames).default('spec'),
    /** Attempts in all, the first one included. */
    maxAttempts: z.int().min(1).max(50).optional(),
    /** Delay before the second attempt, in ms. */
    baseDelayMs: z.int().min(0).max(DAY_MS).optional(),
    /** Each further delay is the previous one times this. */
    factor: z.number().min(1).max(10).optional(),
    /** No delay is longer than this, in ms. */
    maxDelayMs: z
      .int()
      .min(0)
      .max(7 * DAY_MS)
      .optional(),
    /** Spread each delay by up to ± this fraction, so failing receivers are not hit in lockstep. */
    jitter: z.number().min(0).max(1).optional(),
    /** Explicit delays in ms between attempts; when given, it replaces the exponential rule and sets maxAttempts to its length + 1. */
    schedule: z
      .array(
        z
          .int()
          .min(0)
          .max(7 * DAY_MS),
      )
      .max(49)
      .optional(),
  })
  .transform((given) => {
    const base = retryPresets[given.preset];
    // An exponential rule given without a schedule replaces the preset's schedule.
    const exponentialGiven =
      given.maxAttempts !== undefined || given.baseDelayMs !== undefined || given.factor !== undefined;
    const policy = {
      preset: given.preset,
      maxAttempts: given.maxAttempts ?? base.maxAttempts,
      baseDelayMs: given.baseDelayMs ?? base.baseDelayMs,
      factor: given.factor ?? base.factor,
      maxDelayMs: given.maxDelayMs ?? base.maxDelayMs,
      jitter: given.jitter ?? base.jitter,
      schedule: given.schedule ?? (exponentialGiven ? [] : base.schedule),
    };
    return policy.schedule.length > 0 ? { ...policy, maxAttempts: policy.schedule.length + 1 } : policy;
  });

export type RetryPolicy = z.output<typeof retryPolicySchema>;
export type RetryPolicyInput = z.input<typeof retryPolicySchema>;

export const defaultRetryPolicy: RetryPolicy = retryPolicySchema.parse({});
