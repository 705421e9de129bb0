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
  /** The rest of the current opening, or while closed of the last one, in ms. */
  coolDownMs: number | null;
  probeDeliveryId: string | null;
  failingSince: Date | null;
  throttledUntil: Date | null;
  nextSendAt: Date | null;
  inFlight: number;
  reason: string | null;
  /** When the circuit last moved (for a closed circuit: when it closed). */
  changedAt: Date | null;
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
  changedAt: null,
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

  // A receiver asking for a pause (429 or 503 with Retry-After) is not failing: the whole
  // endpoint waits as asked, and the circuit does not count it (else a rate-limited
  // receiver would have its circuit opened, and rest far longer than it asked).
  if ((outcome.statusCode === 429 || outcome.statusCode === 503) && outcome.retryAfterMs) {
    const until = new Date(now.getTime() + Math.min(outcome.retryAfterMs, MAX_THROTTLE_MS));
    if (!health.throttledUntil || until > health.throttledUntil) health.throttledUntil = until;
    return { health, alerts, disable };
  }

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
      // The last rest is kept: should the circuit open again soon, it rests longer (flapping).
      Object.assign(health, { circuitState: 'closed', openedAt: null, retryAt: null, changedAt: now });
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

  const open = (coolDownMs: number, reason: string) => {
    Object.assign(health, {
      circuitState: 'open',
      openedAt: now,
      coolDownMs,
      retryAt: new Date(now.getTime() + coolDownMs),
      probeDeliveryId: null,
      reason,
      changedAt: now,
    });
    alerts.push('endpoint.circuit_opened');
  };
  const longerRest = () => Math.min((health.coolDownMs ?? policy.coolDownMs) * 2, policy.maxCoolDownMs);
  if (health.circuitState === 'half_open') {
    const coolDownMs = longerRest();
    open(coolDownMs, `The probe delivery failed (${what}); resting ${Math.round(coolDownMs / 1000)} s.`);
  } else if (health.circuitState === 'closed') {
    const rate = (100 * health.windowFailures) / health.windowAttempts;
    const why =
      health.consecutiveFailures >= policy.failureThreshold
        ? `${health.consecutiveFailures} attempts in a row failed (last: ${what})`
        : health.windowAttempts >= policy.minAttempts && rate >= policy.failureRatePercent
          ? `${health.windowFailures} of the last ${health.windowAttempts} attempts failed (last: ${what})`
          : null;
    if (why && flapping(before, policy, now)) {
      const coolDownMs = longerRest();
      open(coolDownMs, `${why}, soon after it closed; resting ${Math.round(coolDownMs / 1000)} s.`);
    } else if (why) open(policy.coolDownMs, `${why}.`);
  }
  return { health, alerts, disable };
}

/**
 * A circuit that opens again before it has stayed closed for the failure-rate window (or
 * its last rest, if longer) is flapping: the receiver is not really back, so each such
 * reopening rests longer, as a failed probe does. Closed for longer, it starts afresh.
 */
function flapping(before: Health, policy: HealthPolicy, now: Date): boolean {
  if (before.coolDownMs === null || !before.changedAt) return false;
  return now.getTime() - before.changedAt.getTime() < Math.max(policy.windowMs, before.coolDownMs);
}

/** What an endpoint's settings say of sending now. */
/**
 * Several outcomes of one endpoint, noted together (a worker gathers those that arrive
 * while it is writing the previous ones): the same as noting them one by one, in order.
 */
export function afterAttempts(
  before: Health,
  outcomes: AttemptOutcomeSummary[],
  policy: HealthPolicy,
  now: Date,
): AfterAttempt & { moved: boolean } {
  let health = before;
  let moved = false;
  const alerts: HealthAlert[] = [];
  let disable: string | null = null;
  for (const outcome of outcomes) {
    const after = afterAttempt(health, outcome, policy, now);
    moved ||= after.health.circuitState !== health.circuitState;
    health = after.health;
    alerts.push(...after.alerts.filter((alert) => alert !== 'endpoint.disabled' || !disable));
    disable ??= after.disable;
  }
  return { health, alerts, disable, moved };
}

/**
 * Whether a claim of these deliveries would hold every one and change nothing in the
 * health (paused, an open circuit still resting, or a half-open one whose probe is not
 * among them): then it needs no lock on the health row. A dead endpoint is half-open for
 * as long as its probe takes (its timeout), and every job of it queued on that lock and
 * saved the health unchanged (run AA, docs/performance-history.md).
 */
export function holdsEverything(health: Health, limits: EndpointLimits, now: Date, ids: string[]): boolean {
  if (limits.paused) return true;
  if (health.circuitState === 'open') return health.retryAt !== null && now < health.retryAt;
  if (health.circuitState === 'half_open') return !(health.probeDeliveryId && ids.includes(health.probeDeliveryId));
  return false;
}

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

/** Deliveries put off for a concurrency-limited endpoint's places come due no sooner than this, in ms. */
const MIN_PLACE_MS = 20;

/** Why deliveries wait held: the same words whether a claim holds them or the send gate gives them back. */
const holdReasons = {
  paused: 'The endpoint is paused.',
  open: (retryAt: Date | null, reason: string | null) =>
    `The endpoint's circuit is open${retryAt ? ` until ${retryAt.toISOString()}` : ''}: ${reason ?? ''}`.trim(),
  probe: 'Waiting for the outcome of a probe delivery to the endpoint.',
};

/**
 * Which of a job's deliveries (of one endpoint, oldest first) may be claimed now. Order
 * matters: a paused endpoint holds everything; an open circuit holds everything but one
 * probe once its rest is over; a throttled endpoint puts everything off; then the rate and
 * concurrency limits let through what fits and put off the rest.
 */
export function planClaim(
  before: Health,
  limits: EndpointLimits,
  ids: string[],
  now: Date,
  /** How long the endpoint's requests take, in ms, when known: when its in-flight places free up. */
  requestMs: number | null = null,
): ClaimPlan {
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
  if (limits.paused) return plan([], ids, holdReasons.paused);

  if (health.circuitState === 'open') {
    if (health.retryAt && now < health.retryAt) {
      return plan([], ids, holdReasons.open(health.retryAt, health.reason));
    }
    // The rest is over: one delivery goes as the probe; the others wait for its outcome.
    const [probe, ...rest] = ids;
    if (!probe) return plan([], [], '');
    Object.assign(health, {
      circuitState: 'half_open',
      probeDeliveryId: probe,
      reason: 'A probe delivery is on its way.',
      changedAt: now,
    });
    if (limits.maxInFlight !== null) health.inFlight += 1;
    return plan([probe], rest, holdReasons.probe);
  }
  if (health.circuitState === 'half_open') {
    // The probe itself (released for it by the health tick) goes; the rest waits for it.
    const probe = health.probeDeliveryId && ids.includes(health.probeDeliveryId) ? health.probeDeliveryId : null;
    if (probe && limits.maxInFlight !== null) health.inFlight += 1;
    const rest = ids.filter((id) => id !== probe);
    return plan(probe ? [probe] : [], rest, holdReasons.probe);
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
  // Those beyond the concurrency limit: due as its places should free up, one request's
  // time from now and then `maxInFlight` per request's time (a second, when not known yet).
  // A flat second left a quick receiver idle most of the time.
  let placeSpacing = 0;
  if (limits.maxInFlight !== null) {
    const free = Math.max(0, limits.maxInFlight - health.inFlight);
    const placeMs = Math.min(1_000, Math.max(MIN_PLACE_MS, requestMs ?? 1_000));
    if (free < allowed) from = Math.max(limits.rateLimitPerSecond ? from : 0, now.getTime() + placeMs);
    placeSpacing = placeMs / Math.max(1, limits.maxInFlight);
    allowed = Math.min(allowed, free);
  }
  // Counted only where a limit reads the count: its places free up when the attempt is recorded (recordAttempts.ts).
  if (limits.maxInFlight !== null) health.inFlight += allowed;
  const rateSpacing = limits.rateLimitPerSecond ? 1_000 / limits.rateLimitPerSecond : 0;
  return plan(
    ids.slice(0, allowed),
    [],
    '',
    spread(ids.slice(allowed), from, Math.max(spacingMs, rateSpacing, placeSpacing)),
  );
}

/** Whether claims of this endpoint need the guarded path (anything but a plain, healthy endpoint). */
export function isGuarded(health: Health | null, limits: EndpointLimits, now: Date): boolean {
  if (limits.paused || limits.rateLimitPerSecond !== null || limits.maxInFlight !== null) return true;
  if (!health) return false;
  return health.circuitState !== 'closed' || (health.throttledUntil !== null && now < health.throttledUntil);
}

/** What a worker knows of an endpoint when a delivery it already claimed is about to be sent. */
export interface SendGateState {
  /** Enabled and not deleted. */
  active: boolean;
  paused: boolean;
  circuitState: CircuitState;
  retryAt: Date | null;
  probeDeliveryId: string | null;
  throttledUntil: Date | null;
  reason: string | null;
}

/** Send it; or give the claim back: held with the reason, cancelled, or put off to a moment. */
export type SendVerdict = { send: true } | { hold: string } | { cancel: true } | { putOff: Date };

/**
 * Whether a delivery claimed while its endpoint was fine may still be sent. A job claims
 * up to 50 deliveries at once; if the circuit opens, the receiver answers 410 or asks
 * for a pause meanwhile, or an operator pauses, disables or deletes the endpoint, the
 * rest must not go out regardless. The same order as planClaim.
 */
export function sendVerdict(state: SendGateState, deliveryId: string, now: Date): SendVerdict {
  if (!state.active) return { cancel: true };
  if (state.paused) return { hold: holdReasons.paused };
  if (state.circuitState === 'open') return { hold: holdReasons.open(state.retryAt, state.reason) };
  if (state.circuitState === 'half_open' && state.probeDeliveryId !== deliveryId) return { hold: holdReasons.probe };
  if (state.throttledUntil && now < state.throttledUntil) return { putOff: state.throttledUntil };
  return { send: true };
}
