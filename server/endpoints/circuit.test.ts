import { describe, expect, test } from 'vitest';
import { afterAttempt, healthyEndpoint, isGuarded, planClaim, type EndpointLimits, type Health } from './circuit.ts';
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

  test("an attempt cut by Hookpost's own shutdown says nothing of the receiver", () => {
    const aborted = { ok: false, statusCode: null, errorKind: 'aborted', retryAfterMs: null };
    expect(run(Array(10).fill(aborted)).health).toEqual(healthyEndpoint);
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
});
