/**
 * An endpoint's health policy: when its circuit opens, how long it rests, when it is
 * disabled for good. Stored as JSON on the endpoint (null: these defaults), validated here
 * when written. The defaults follow what receivers meet in the field: five failures in a
 * row or half of at least twenty attempts within a minute open the circuit for 30 s, each
 * reopening (a failed probe, or opening again within the window of closing) doubles that
 * up to 30 min, and an endpoint failing for 5 days straight is disabled (as Svix does).
 */
import { z } from 'zod';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

export const healthPolicySchema = z
  .object({
    /** Failures in a row that open the circuit. */
    failureThreshold: z.int().min(1).max(1_000_000).default(5),
    /** The share of failed attempts in a window that opens the circuit, in percent. */
    failureRatePercent: z.int().min(1).max(100).default(50),
    /** The window the rate is measured over, in ms. */
    windowMs: z.int().min(1_000).max(DAY_MS).default(MINUTE_MS),
    /** Attempts a window needs before its rate counts. */
    minAttempts: z.int().min(1).max(100_000).default(20),
    /** How long an opened circuit rests before a probe, in ms. */
    coolDownMs: z.int().min(1_000).max(DAY_MS).default(30_000),
    /** The longest rest, however often it reopens, in ms. */
    maxCoolDownMs: z
      .int()
      .min(1_000)
      .max(7 * DAY_MS)
      .default(30 * MINUTE_MS),
    /** An endpoint failing without a success for this long is disabled, in ms; 0 never. */
    disableAfterMs: z
      .int()
      .min(0)
      .max(90 * DAY_MS)
      .default(5 * DAY_MS),
  })
  .refine((policy) => policy.maxCoolDownMs >= policy.coolDownMs, {
    message: 'must be at least coolDownMs',
    path: ['maxCoolDownMs'],
  });

export type HealthPolicy = z.output<typeof healthPolicySchema>;
export type HealthPolicyInput = z.input<typeof healthPolicySchema>;

export const defaultHealthPolicy: HealthPolicy = healthPolicySchema.parse({});

/** The policy stored on an endpoint (null or partial JSON: the defaults fill in). */
export function healthPolicyOf(stored: unknown): HealthPolicy {
  return healthPolicySchema.parse(stored ?? {});
}
