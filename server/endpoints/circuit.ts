/**
 * The endpoint health rules, pure: how an attempt's outcome moves an endpoint's circuit
 * (closed → open → half-open → closed or open again), when it is disabled, when the
 * receiver asked everyone to slow down; and, before deliveries are claimed, which of them
 * may go now, which wait held (circuit open, paused), and which are put off to a later
 * moment (Retry-After, a rate or concurrency limit). The SQL that keeps this state for
 * every worker lives in deliveries/endpointHealth.ts and deliveries/claimGuarded.ts.
 */
import type { HealthPolicy } from './healthPolicy.ts';

export type CircuitState = 'closed' | 'open' | 'half_open';

/** What Hookpost knows of how an endpoint is doing (a row of `endpoint_health`). */
export interface Health {
  circuitState: CircuitState;
  consecutiveFailures: number;
  windowStartedAt: Date | null;
  windowAttempts: number;
  windowFailures: number;
  openedAt: Date | null;
  retryAt: Date | null;
  coolDownMs: number | null;
  probeDeliveryId: string | null;
  failingSince: Date | null;
  throttledUntil: Date | null;
  nextSendAt: Date | null;
  inFlight: number;
  reason: string | null;
}

export const healthyEndpoint: Health = {
  circuitState: 'closed',
  consecutiveFailures: 0,
  windowStartedAt: null,
  windowAttempts: 0,
  windowFailures: 0,
  openedAt: null,
  retryAt: null,
  coolDownMs: null,
  probeDeliveryId: null,
  failingSince: null,
  throttledUntil: null,
  nextSendAt: null,
  inFlight: 0,
  reason: null,
};

/** An operational event Hookpost tells operators about (the system mailbox). */
export type HealthAlert = 'endpoint.circuit_opened' | 'endpoint.circuit_closed' | 'endpoint.disabled';

export interface AttemptOutcomeSummary {
  ok: boolean;
  statusCode: number | null;
  errorKind: string | null;
  /** The receiver's Retry-After on 429/503, in ms. */
  retryAfterMs: number | null;
}

export interface AfterAttempt {
  health: Health;
  alerts: HealthAlert[];
  /** Why the endpoint must be disabled now, or null. */
  disable: string | null;
}

/** The longest a receiver may make everyone wait with Retry-After, in ms. */
const MAX_THROTTLE_MS = 3_600_000;

/** Outcomes that say nothing of the receiver: Hookpost's own shutdown cut the request. */
const notTheReceivers = new Set(['aborted']);

/** How one attempt's outcome moves an endpoint's health. */
export function afterAttempt(
  before: Health,
  outcome: AttemptOutcomeSummary,
  policy: HealthPolicy,
  now: Date,
): AfterAttempt {
  if (!outcome.ok && outcome.errorKind && notTheReceivers.has(outcome.errorKind)) {
    return { health: before, alerts: [], disable: null };
  }
  const health: Health = { ...before };
  const alerts: HealthAlert[] = [];
  let disable: string | null = null;

  // The failure-rate window.
  if (!health.windowStartedAt || now.getTime() - health.windowStartedAt.getTime() >= policy.windowMs) {
    health.windowStartedAt = now;
    health.windowAttempts = 0;
    health.windowFailures = 0;
  }
  health.windowAttempts += 1;
  if (!outcome.ok) health.windowFailures += 1;

  if (outcome.ok) {
    health.consecutiveFailures = 0;
    health.failingSince = null;
    if (health.circuitState !== 'closed') {
      Object.assign(health, { circuitState: 'closed', openedAt: null, retryAt: null, coolDownMs: null });
      Object.assign(health, { probeDeliveryId: null, reason: 'A delivery succeeded.' });
      alerts.push('endpoint.circuit_closed');
    }
    return { health, alerts, disable };
  }

  health.consecutiveFailures += 1;
  health.failingSince ??= now;
  const what = outcome.statusCode ? `HTTP ${outcome.statusCode}` : (outcome.errorKind ?? 'an error');

  if (outcome.statusCode === 410) disable = 'The endpoint answered 410 Gone: it asked not to be sent anything more.';
  else if (policy.disableAfterMs > 0 && now.getTime() - health.failingSince.getTime() >= policy.disableAfterMs) {
    disable = `Every attempt failed since ${health.failingSince.toISOString()} (last: ${what}).`;
  }
  if (disable) alerts.push('endpoint.disabled');

  if ((outcome.statusCode === 429 || outcome.statusCode === 503) && outcome.retryAfterMs) {
    const until = new Date(now.getTime() + Math.min(outcome.retryAfterMs, MAX_THROTTLE_MS));
    if (!health.throttledUntil || until > health.throttledUntil) health.throttledUntil = until;
  }

  const open = (coolDownMs: number, reason: string) => {
    Object.assign(health, {
      circuitState: 'open',
      openedAt: now,
      coolDownMs,
      retryAt: new Date(now.getTime() + coolDownMs),
      probeDeliveryId: null,
      reason,
    });
    alerts.push('endpoint.circuit_opened');
  };
  if (health.circuitState === 'half_open') {
    const coolDownMs = Math.min((health.coolDownMs ?? policy.coolDownMs) * 2, policy.maxCoolDownMs);
    open(coolDownMs, `The probe delivery failed (${what}); resting ${Math.round(coolDownMs / 1000)} s.`);
  } else if (health.circuitState === 'closed') {
    const rate = (100 * health.windowFailures) / health.windowAttempts;
    if (health.consecutiveFailures >= policy.failureThreshold) {
      open(policy.coolDownMs, `${health.consecutiveFailures} attempts in a row failed (last: ${what}).`);
    } else if (health.windowAttempts >= policy.minAttempts && rate >= policy.failureRatePercent) {
      open(
        policy.coolDownMs,
        `${health.windowFailures} of the last ${health.windowAttempts} attempts failed (last: ${what}).`,
      );
    }
  }
  return { health, alerts, disable };
}

/** What an endpoint's settings say of sending now. */
export interface EndpointLimits {
  paused: boolean;
  /** Deliveries per second at most, or null. */
  rateLimitPerSecond: number | null;
  /** Requests in flight at most, across every worker, or null. */
  maxInFlight: number | null;
}

export interface ClaimPlan {
  /** Claimed and sent now. */
  claim: string[];
  /** Waiting, held, with the reason. */
  hold: { ids: string[]; reason: string };
  /** Put off to later moments, each its own (they stay queued, with jobs due then). */
  defer: { id: string; at: Date }[];
  /** The health after the plan (a probe let through, rate-limit slots taken, in-flight count). */
  health: Health;
}

/**
 * Which of a job's deliveries (of one endpoint, oldest first) may be claimed now. Order
 * matters: a paused endpoint holds everything; an open circuit holds everything but one
 * probe once its rest is over; a throttled endpoint puts everything off; then the rate and
 * concurrency limits let through what fits and put off the rest.
 */
export function planClaim(before: Health, limits: EndpointLimits, ids: string[], now: Date): ClaimPlan {
  const health: Health = { ...before };
  const plan = (claim: string[], hold: string[], reason: string, defer: ClaimPlan['defer'] = []): ClaimPlan => ({
    claim,
    hold: { ids: hold, reason },
    defer,
    health,
  });
  // Put off one after another, `spacingMs` apart from `from`, so they do not all wake at once.
  const spread = (deferred: string[], from: number, spacingMs: number) =>
    deferred.map((id, i) => ({ id, at: new Date(from + i * spacingMs) }));
  if (limits.paused) return plan([], ids, 'The endpoint is paused.');

  if (health.circuitState === 'open') {
    if (health.retryAt && now < health.retryAt) {
      return plan(
        [],
        ids,
        `The endpoint's circuit is open until ${health.retryAt.toISOString()}: ${health.reason ?? ''}`.trim(),
      );
    }
    // The rest is over: one delivery goes as the probe; the others wait for its outcome.
    const [probe, ...rest] = ids;
    if (!probe) return plan([], [], '');
    Object.assign(health, {
      circuitState: 'half_open',
      probeDeliveryId: probe,
      reason: 'A probe delivery is on its way.',
    });
    health.inFlight += 1;
    return plan([probe], rest, 'Waiting for the outcome of a probe delivery to the endpoint.');
  }
  if (health.circuitState === 'half_open') {
    // The probe itself (released for it by the health tick) goes; the rest waits for it.
    const probe = health.probeDeliveryId && ids.includes(health.probeDeliveryId) ? health.probeDeliveryId : null;
    if (probe) health.inFlight += 1;
    const rest = ids.filter((id) => id !== probe);
    return plan(probe ? [probe] : [], rest, 'Waiting for the outcome of a probe delivery to the endpoint.');
  }

  if (health.throttledUntil && now < health.throttledUntil) {
    return plan([], [], '', spread(ids, health.throttledUntil.getTime(), 10));
  }

  let allowed = ids.length;
  let from = now.getTime() + 1_000;
  const spacingMs = 10;
  if (limits.rateLimitPerSecond) {
    const slotMs = 1_000 / limits.rateLimitPerSecond;
    // Up to a second's worth at once after a quiet spell, then one every slot; the slots a
    // burst used are counted from now, so no second ever carries more than the limit.
    const burst = Math.max(1, Math.floor(limits.rateLimitPerSecond));
    const next = Math.max(health.nextSendAt?.getTime() ?? 0, now.getTime() - (burst - 1) * slotMs);
    const fits = next > now.getTime() ? 0 : Math.floor((now.getTime() - next) / slotMs) + 1;
    allowed = Math.min(allowed, fits, burst);
    health.nextSendAt = new Date(Math.max(next, now.getTime()) + allowed * slotMs);
    from = Math.max(health.nextSendAt.getTime(), now.getTime() + 1);
  }
  if (limits.maxInFlight !== null) {
    const free = Math.max(0, limits.maxInFlight - health.inFlight);
    if (free < allowed) from = Math.max(from, now.getTime() + 1_000);
    allowed = Math.min(allowed, free);
  }
  health.inFlight += allowed;
  const rateSpacing = limits.rateLimitPerSecond ? 1_000 / limits.rateLimitPerSecond : 0;
  return plan(ids.slice(0, allowed), [], '', spread(ids.slice(allowed), from, Math.max(spacingMs, rateSpacing)));
}

/** Whether claims of this endpoint need the guarded path (anything but a plain, healthy endpoint). */
export function isGuarded(health: Health | null, limits: EndpointLimits, now: Date): boolean {
  if (limits.paused || limits.rateLimitPerSecond !== null || limits.maxInFlight !== null) return true;
  if (!health) return false;
  return health.circuitState !== 'closed' || (health.throttledUntil !== null && now < health.throttledUntil);
}
