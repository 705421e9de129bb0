import { describe, expect, test } from 'vitest';
import {
  afterAttempt,
  afterAttempts,
  healthyEndpoint,
  holdsEverything,
  isGuarded,
  planClaim,
  sendVerdict,
  type EndpointLimits,
  type Health,
  type SendGateState,
} from './circuit.ts';
import { defaultHealthPolicy, healthPolicySchema } from './healthPolicy.ts';

const t0 = new Date('2026-12-02T10:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const failure = { ok: false, statusCode: 500, errorKind: 'http_status', retryAfterMs: null };
const success = { ok: true, statusCode: 200, errorKind: null, retryAfterMs: null };
const plain: EndpointLimits = { paused: false, rateLimitPerSecond: null, maxInFlight: null };

function run(
  outcomes: { ok: boolean; statusCode: number | null; errorKind: string | null; retryAfterMs: number | null }[],
  start: Health = healthyEndpoint,
  policy = defaultHealthPolicy,
) {
  let health = start;
  const alerts: string[] = [];
  let disable: string | null = null;
  outcomes.forEach((outcome, i) => {
    const after = afterAttempt(health, outcome, policy, at(i * 100));
    health = after.health;
    alerts.push(...after.alerts);
    disable ??= after.disable;
  });
  return { health, alerts, disable };
}

describe('the circuit breaker', () => {
  test('opens after the failure threshold in a row, not before', () => {
    expect(run(Array(4).fill(failure)).health.circuitState).toBe('closed');
    const opened = run(Array(5).fill(failure));
    expect(opened.health).toMatchObject({ circuitState: 'open', coolDownMs: 30_000, consecutiveFailures: 5 });
    expect(opened.health.retryAt).toEqual(at(400 + 30_000));
    expect(opened.alerts).toEqual(['endpoint.circuit_opened']);
    expect(opened.health.reason).toMatch(/5 attempts in a row failed \(last: HTTP 500\)/);
  });

  test('a success resets the run of failures', () => {
    expect(run([failure, failure, failure, failure, success, failure]).health).toMatchObject({
      circuitState: 'closed',
      consecutiveFailures: 1,
    });
  });

  test('opens on the failure rate over a window once it has enough attempts', () => {
    const policy = healthPolicySchema.parse({ failureThreshold: 100, minAttempts: 10, failureRatePercent: 50 });
    const flapping = Array.from({ length: 10 }, (_, i) => (i % 2 ? failure : success));
    const { health } = run(flapping, healthyEndpoint, policy);
    expect(health.circuitState).toBe('open');
    expect(health.reason).toMatch(/5 of the last 10 attempts failed/);
  });

  test('half-open: a probe that succeeds closes it; one that fails reopens it with a doubled rest', () => {
    const open = run(Array(5).fill(failure)).health;
    const probing = planClaim(open, plain, ['p', 'q'], at(31_000));
    expect(probing.claim).toEqual(['p']);
    expect(probing.hold.ids).toEqual(['q']);
    expect(probing.health).toMatchObject({ circuitState: 'half_open', probeDeliveryId: 'p' });

    const closed = afterAttempt(probing.health, success, defaultHealthPolicy, at(31_500));
    expect(closed.health).toMatchObject({ circuitState: 'closed', consecutiveFailures: 0, retryAt: null });
    expect(closed.alerts).toEqual(['endpoint.circuit_closed']);

    const reopened = afterAttempt(probing.health, failure, defaultHealthPolicy, at(31_500));
    expect(reopened.health).toMatchObject({ circuitState: 'open', coolDownMs: 60_000 });
    expect(reopened.alerts).toEqual(['endpoint.circuit_opened']);
  });

  test('half-open: the probe released for it goes, the rest waits', () => {
    const probing = { ...run(Array(5).fill(failure)).health, circuitState: 'half_open' as const, probeDeliveryId: 'p' };
    const plan = planClaim(probing, plain, ['o', 'p'], at(40_000));
    expect(plan.claim).toEqual(['p']);
    expect(plan.hold.ids).toEqual(['o']);
    expect(planClaim(probing, plain, ['o'], at(40_000)).claim).toEqual([]);
  });

  test('the rest doubles up to its cap', () => {
    let health = run(Array(5).fill(failure)).health;
    for (let i = 0; i < 10; i++) {
      const probing = planClaim(health, plain, ['p'], new Date(health.retryAt!.getTime() + 1));
      health = afterAttempt(
        probing.health,
        failure,
        defaultHealthPolicy,
        new Date(health.retryAt!.getTime() + 2),
      ).health;
    }
    expect(health.coolDownMs).toBe(defaultHealthPolicy.maxCoolDownMs);
  });

  test('flapping: opening again soon after a probe closed it rests longer; closed for a while, it starts afresh', () => {
    const open = run(Array(5).fill(failure)).health;
    const probing = planClaim(open, plain, ['p'], at(31_000)).health;
    const closed = afterAttempt(probing, success, defaultHealthPolicy, at(31_500)).health;
    expect(closed).toMatchObject({ circuitState: 'closed', changedAt: at(31_500) });
    const failAt = (health: Health, start: number) => {
      for (let i = 0; i < 5; i++)
        health = afterAttempt(health, failure, defaultHealthPolicy, at(start + i * 100)).health;
      return health;
    };
    // Within the failure-rate window (1 min) of closing: twice the last rest.
    const reopened = failAt(closed, 40_000);
    expect(reopened).toMatchObject({ circuitState: 'open', coolDownMs: 60_000 });
    expect(reopened.retryAt).toEqual(at(40_400 + 60_000));
    expect(reopened.reason).toMatch(
      /5 attempts in a row failed \(last: HTTP 500\), soon after it closed; resting 60 s/,
    );
    // Flapping again: twice that.
    const closedAgain = afterAttempt(
      planClaim(reopened, plain, ['q'], at(101_000)).health,
      success,
      defaultHealthPolicy,
      at(101_100),
    ).health;
    expect(failAt(closedAgain, 110_000)).toMatchObject({ circuitState: 'open', coolDownMs: 120_000 });
    // Closed for longer than the window and the last rest: the policy's first rest again.
    expect(failAt(closed, 31_500 + 61_000)).toMatchObject({ circuitState: 'open', coolDownMs: 30_000 });
  });

  test("an attempt cut by Hookpost's own shutdown says nothing of the receiver", () => {
    const aborted = { ok: false, statusCode: null, errorKind: 'aborted', retryAfterMs: null };
    expect(run(Array(10).fill(aborted)).health).toEqual(healthyEndpoint);
  });
});

describe('outcomes noted together', () => {
  test('move the health exactly as noted one by one, alerts and all', () => {
    const policy = healthPolicySchema.parse({ failureThreshold: 3, coolDownMs: 1000 });
    const sequences = [
      [failure, failure, failure, failure],
      [failure, success, failure, failure, failure],
      [failure, failure, failure, success],
      [{ ...failure, statusCode: 410 }, { ...failure, statusCode: 410 }, success],
    ];
    for (const outcomes of sequences) {
      let oneByOne = healthyEndpoint;
      const alerts: string[] = [];
      let disable: string | null = null;
      for (const outcome of outcomes) {
        const after = afterAttempt(oneByOne, outcome, policy, t0);
        oneByOne = after.health;
        alerts.push(...after.alerts);
        disable ??= after.disable;
      }
      const together = afterAttempts(healthyEndpoint, outcomes, policy, t0);
      expect(together.health).toEqual(oneByOne);
      expect(together.disable).toBe(disable);
      // One endpoint.disabled however many answers asked for it.
      expect(together.alerts).toEqual(
        alerts.filter((alert, i) => alert !== 'endpoint.disabled' || alerts.indexOf(alert) === i),
      );
      expect(together.moved).toBe(alerts.some((alert) => alert.startsWith('endpoint.circuit')));
    }
  });

  test('a claim that only holds needs no lock: paused, resting with the circuit open, or half-open without the probe', () => {
    const open = { ...healthyEndpoint, circuitState: 'open' as const, retryAt: at(1000) };
    const halfOpen = { ...healthyEndpoint, circuitState: 'half_open' as const, probeDeliveryId: 'probe' };
    expect(holdsEverything(healthyEndpoint, { ...plain, paused: true }, t0, ['d1'])).toBe(true);
    expect(holdsEverything(open, plain, t0, ['d1'])).toBe(true);
    expect(holdsEverything(open, plain, at(1000), ['d1'])).toBe(false); // the rest is over: a probe goes
    expect(holdsEverything(halfOpen, plain, t0, ['d1', 'd2'])).toBe(true);
    expect(holdsEverything(halfOpen, plain, t0, ['d1', 'probe'])).toBe(false); // the probe goes
    // And the plan agrees: all held, the health as it was.
    const plan = planClaim(halfOpen, plain, ['d1', 'd2'], t0);
    expect(plan).toMatchObject({ claim: [], hold: { ids: ['d1', 'd2'] }, defer: [] });
    expect(plan.health).toEqual(halfOpen);
    expect(holdsEverything(healthyEndpoint, { ...plain, rateLimitPerSecond: 1 }, t0, ['d1'])).toBe(false);
  });
});

describe('disabling and slowing down', () => {
  test('410 Gone disables the endpoint at once', () => {
    const gone = run([{ ok: false, statusCode: 410, errorKind: 'http_status', retryAfterMs: null }]);
    expect(gone.disable).toMatch(/410 Gone/);
    expect(gone.alerts).toContain('endpoint.disabled');
  });

  test('failing for longer than disableAfterMs disables it; a success on the way starts the count again', () => {
    const policy = healthPolicySchema.parse({ disableAfterMs: 1_000, failureThreshold: 1_000 });
    expect(run(Array(11).fill(failure), healthyEndpoint, policy).disable).toMatch(/Every attempt failed since/);
    expect(run([...Array(8).fill(failure), success, failure, failure], healthyEndpoint, policy).disable).toBeNull();
    expect(run(Array(11).fill(failure), healthyEndpoint, { ...policy, disableAfterMs: 0 }).disable).toBeNull();
  });

  test('429 or 503 with Retry-After slows the whole endpoint down', () => {
    const { health } = run([{ ok: false, statusCode: 429, errorKind: 'http_status', retryAfterMs: 5_000 }]);
    expect(health.throttledUntil).toEqual(at(5_000));
    const plan = planClaim(health, plain, ['a', 'b'], at(1_000));
    expect(plan.claim).toEqual([]);
    expect(plan.defer).toEqual([
      { id: 'a', at: at(5_000) },
      { id: 'b', at: at(5_010) },
    ]);
    expect(planClaim(health, plain, ['a'], at(5_000)).claim).toEqual(['a']);
  });

  test('a receiver asking for a pause is not failing: the circuit does not count it', () => {
    const throttle = { ok: false, statusCode: 429, errorKind: 'http_status', retryAfterMs: 1_000 };
    const { health, alerts } = run(Array(10).fill(throttle));
    expect(health.circuitState).toBe('closed');
    expect(health.consecutiveFailures).toBe(0);
    expect(health.failingSince).toBeNull();
    expect(alerts).toEqual([]);
    // Without Retry-After a 429 or 503 is a failure like any other.
    expect(run(Array(5).fill({ ...throttle, statusCode: 503, retryAfterMs: null })).health.circuitState).toBe('open');
  });
});

describe('planning a claim', () => {
  test('a plain endpoint claims everything', () => {
    expect(planClaim(healthyEndpoint, plain, ['a', 'b'], t0)).toMatchObject({
      claim: ['a', 'b'],
      hold: { ids: [] },
      defer: [],
    });
    expect(isGuarded(null, plain, t0)).toBe(false);
    expect(isGuarded(healthyEndpoint, plain, t0)).toBe(false);
  });

  test('a paused endpoint holds everything', () => {
    const plan = planClaim(healthyEndpoint, { ...plain, paused: true }, ['a', 'b'], t0);
    expect(plan.claim).toEqual([]);
    expect(plan.hold).toEqual({ ids: ['a', 'b'], reason: 'The endpoint is paused.' });
    expect(isGuarded(null, { ...plain, paused: true }, t0)).toBe(true);
  });

  test('an open circuit holds everything until its rest is over', () => {
    const open = run(Array(5).fill(failure)).health;
    expect(planClaim(open, plain, ['a'], at(10_000)).hold.ids).toEqual(['a']);
    expect(planClaim(open, plain, ['a'], at(10_000)).hold.reason).toMatch(/circuit is open until/);
    expect(isGuarded(open, plain, at(10_000))).toBe(true);
  });

  test('a rate limit lets a second of sends through at once, then one per slot once that second is over', () => {
    const limits = { ...plain, rateLimitPerSecond: 4 };
    const first = planClaim(healthyEndpoint, limits, ['a', 'b', 'c', 'd', 'e', 'f'], t0);
    expect(first.claim).toEqual(['a', 'b', 'c', 'd']);
    expect(first.defer.map((d) => d.at.getTime() - t0.getTime())).toEqual([1_000, 1_250]);
    const soon = planClaim(first.health, limits, ['e', 'f'], at(500));
    expect(soon.claim).toEqual([]);
    const later = planClaim(first.health, limits, ['e', 'f'], at(1_000));
    expect(later.claim).toEqual(['e']);
    // No window of a second ever holds more than the limit.
    const sends = [0, 0, 0, 0, 1_000];
    for (const start of sends)
      expect(sends.filter((t) => t >= start && t < start + 1_000).length).toBeLessThanOrEqual(4);
  });

  test('a concurrency limit claims what fits and counts it', () => {
    const limits = { ...plain, maxInFlight: 3 };
    const plan = planClaim({ ...healthyEndpoint, inFlight: 1 }, limits, ['a', 'b', 'c', 'd'], t0);
    expect(plan.claim).toEqual(['a', 'b']);
    expect(plan.health.inFlight).toBe(3);
    expect(plan.defer.map((d) => d.id)).toEqual(['c', 'd']);
    expect(plan.defer[0]!.at.getTime()).toBeGreaterThanOrEqual(t0.getTime() + 1_000);
  });

  test('requests in flight are counted only where a concurrency limit reads them', () => {
    const rateOnly = planClaim(healthyEndpoint, { ...plain, rateLimitPerSecond: 1_000 }, ['a', 'b'], t0);
    expect(rateOnly.claim).toEqual(['a', 'b']);
    expect(rateOnly.health.inFlight).toBe(0);
    const probing = planClaim(
      { ...healthyEndpoint, circuitState: 'open', retryAt: new Date(t0.getTime() - 1) },
      { ...plain, rateLimitPerSecond: 1_000 },
      ['a'],
      t0,
    );
    expect(probing.claim).toEqual(['a']);
    expect(probing.health.inFlight).toBe(0);
  });

  test("those beyond a concurrency limit come due as its places free up, at the pace of the endpoint's requests", () => {
    const limits = { ...plain, maxInFlight: 2 };
    const plan = planClaim({ ...healthyEndpoint, inFlight: 2 }, limits, ['a', 'b', 'c', 'd', 'e'], t0, 100);
    expect(plan.claim).toEqual([]);
    // One request's time from now, then two (the limit) per request's time.
    expect(plan.defer.map((d) => d.at.getTime() - t0.getTime())).toEqual([100, 150, 200, 250, 300]);
    // With a rate limit too, the slower of the two paces.
    const both = planClaim(
      { ...healthyEndpoint, inFlight: 2 },
      { ...limits, rateLimitPerSecond: 10 },
      ['a', 'b'],
      t0,
      100,
    );
    expect(both.defer[1]!.at.getTime() - both.defer[0]!.at.getTime()).toBe(100);
    // Not known yet: a second.
    const unknown = planClaim({ ...healthyEndpoint, inFlight: 2 }, limits, ['a'], t0);
    expect(unknown.defer[0]!.at.getTime() - t0.getTime()).toBe(1_000);
  });
});

describe('a delivery claimed before its endpoint changed', () => {
  const fine: SendGateState = {
    active: true,
    paused: false,
    circuitState: 'closed',
    retryAt: null,
    probeDeliveryId: null,
    throttledUntil: null,
    reason: null,
  };
  const now = new Date('2026-12-02T12:00:00Z');

  test('goes when nothing changed', () => {
    expect(sendVerdict(fine, 'd1', now)).toEqual({ send: true });
  });

  test('is cancelled once the endpoint is disabled or deleted, whatever else holds', () => {
    expect(sendVerdict({ ...fine, active: false, paused: true, circuitState: 'open' }, 'd1', now)).toEqual({
      cancel: true,
    });
  });

  test('is held while paused or while the circuit is open, with the reason', () => {
    expect(sendVerdict({ ...fine, paused: true }, 'd1', now)).toEqual({ hold: 'The endpoint is paused.' });
    const open = sendVerdict(
      { ...fine, circuitState: 'open', retryAt: new Date('2026-12-02T12:00:30Z'), reason: '5 failures in a row.' },
      'd1',
      now,
    );
    expect(open).toEqual({
      hold: "The endpoint's circuit is open until 2026-12-02T12:00:30.000Z: 5 failures in a row.",
    });
  });

  test('half-open: only the probe goes', () => {
    const halfOpen = { ...fine, circuitState: 'half_open' as const, probeDeliveryId: 'probe' };
    expect(sendVerdict(halfOpen, 'probe', now)).toEqual({ send: true });
    expect(sendVerdict(halfOpen, 'd1', now)).toEqual({
      hold: 'Waiting for the outcome of a probe delivery to the endpoint.',
    });
  });

  test('is put off until the moment the receiver asked for, then goes', () => {
    const until = new Date('2026-12-02T12:00:05Z');
    expect(sendVerdict({ ...fine, throttledUntil: until }, 'd1', now)).toEqual({ putOff: until });
    expect(sendVerdict({ ...fine, throttledUntil: until }, 'd1', new Date('2026-12-02T12:00:06Z'))).toEqual({
      send: true,
    });
  });
});
