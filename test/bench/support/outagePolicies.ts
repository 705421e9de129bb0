/**
 * Endpoint settings for the scenarios where a receiver goes down for a while (the retry
 * storm, the outage, the replay's dead letters): a retry policy that outlasts the outage,
 * and a health policy that keeps the circuit breaker from ever opening.
 */
import type { HealthPolicyBody, RetryPolicyBody } from './hookpostApi.ts';

/**
 * The default retry policy gives up after 3 attempts (0 s, +2 s, +4 s), which would fail
 * every delivery of a 30 s outage by design. This one outlasts it: up to 50 attempts, 1 s
 * doubling to a 5 s cap, ±20 % jitter. With that cap, up to ~6 s of a drain time is the
 * policy waiting, not Hookpost.
 */
export const outlastingRetryPolicy: RetryPolicyBody = {
  max_attempts: 50,
  base_delay_ms: 1_000,
  factor: 2,
  max_delay_ms: 5_000,
  jitter: 0.2,
};

/** The breaker all but off: no run of failures or failure rate a bench can reach opens it. */
export const breakerOff: HealthPolicyBody = {
  failure_threshold: 1_000_000,
  failure_rate_percent: 100,
  window_ms: 1000,
  min_attempts: 100_000,
};
