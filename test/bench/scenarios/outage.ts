/**
 * Outage: two endpoints go down together for `outage` seconds under a steady load, then
 * recover. A keeps the product's health policy (its circuit opens, its deliveries are held
 * instead of attempted, a probe goes after the cool-down, success releases the backlog); B
 * has the breaker all but off (every due retry is sent). A third mailbox, whose endpoint
 * stays up, gets the same steady load the whole time. Measured, A beside B: the attempts
 * spent during the outage (A's should fall to a few probes once its circuit opened) and the
 * time from the recovery until every delivery was delivered; and the healthy endpoint's
 * ingest → delivered latency before (the baseline, same run), during and after the outage.
 * Checked: nothing lost, each of A's and B's deliveries arrived exactly once, no errors.
 *
 * A and B retry with a policy that outlasts the outage (outagePolicies.ts). In short mode
 * A's circuit rests 1 s instead of the default 30 s before its probe, so that a 3 s outage
 * still shows probes and drains in seconds; full mode keeps every default.
 */
import { emptyResult, memoryOf, type BenchContext, type Row, type ScenarioResult } from '../scenario.ts';
import { attemptCounts } from '../support/attemptCounts.ts';
import { checkDeliveriesReceived, checkEventsStored, waitForDeliveries, type Check } from '../support/checks.ts';
import { circuitChanges } from '../support/circuitChanges.ts';
import { cpuSources, startCpuWindow } from '../support/cpuWindow.ts';
import { startFleet } from '../support/fleet.ts';
import { createBenchMailbox, updateEndpoint, type HealthPolicyBody } from '../support/hookpostApi.ts';
import { ingestToDelivered } from '../support/ingestToDelivered.ts';
import type { LoadResult } from '../support/loadGenerator.ts';
import { breakerOff, outlastingRetryPolicy } from '../support/outagePolicies.ts';
import { resetStatements, topStatements } from '../support/pgStatements.ts';
import { sendSteadily } from '../support/steadyEvents.ts';
import { arrivals } from '../support/throughput.ts';

/** Per mailbox: at 50-100 events/s, enough that the rate, not the answers' latency, paces the sending. */
const CONNECTIONS = 32;
/** Seconds of load before the baseline, not in any latency window: the first deliveries after start-up are slow. */
const WARMUP_S = 2;
/** How long to wait for A and B to drain; A alone may rest up to two cool-downs after the recovery. */
const DRAIN_TIMEOUT_MS = 600_000;

const now = () => performance.timeOrigin + performance.now();

function noErrors(what: string, loads: LoadResult[]): Check {
  const non2xx = loads.reduce((sum, load) => sum + load.non2xx, 0);
  const errors = loads.reduce((sum, load) => sum + load.errors, 0);
  return {
    name: `${what}: no errors`,
    ok: non2xx === 0 && errors === 0,
    detail: `${non2xx} non-2xx answers, ${errors} connection errors/timeouts over ${loads.length} runs`,
  };
}

export async function runOutage(ctx: BenchContext): Promise<ScenarioResult> {
  const { options, db, receiver } = ctx;
  const short = options.mode === 'short';
  // Only in short mode, so the outage sees a probe or two; otherwise the product's defaults.
  const breakerOn: HealthPolicyBody | null = short ? { cool_down_ms: 1_000 } : null;
  const fleet = await startFleet(ctx, 'outage');
  const result = emptyResult(
    'outage',
    `${fleet.describe}; ${options.outageRate} events/s to each of three mailboxes; ` +
      `A: health policy ${breakerOn ? JSON.stringify(breakerOn) : 'the defaults'}, B: ${JSON.stringify(breakerOff)}, ` +
      `both retry ${JSON.stringify(outlastingRetryPolicy)}; the healthy endpoint has the defaults`,
  );
  const tags = { breaker: 'outage-breaker', noBreaker: 'outage-no-breaker', healthy: 'outage-healthy' };
  const failingTags = [tags.breaker, tags.noBreaker];
  try {
    const api = { url: fleet.apiUrl, adminToken: ctx.hookpost.adminToken };
    const retryPolicy = outlastingRetryPolicy;
    const a = await createBenchMailbox(api, receiver, { tag: tags.breaker, fanout: 1, retryPolicy });
    if (breakerOn) await updateEndpoint(api, a.endpointIds[0]!, { health_policy: breakerOn });
    const b = await createBenchMailbox(api, receiver, { tag: tags.noBreaker, fanout: 1, retryPolicy });
    await updateEndpoint(api, b.endpointIds[0]!, { health_policy: breakerOff });
    const healthy = await createBenchMailbox(api, receiver, { tag: tags.healthy, fanout: 1 });
    const mailboxes = [a, b, healthy];
    const send = (mailbox: typeof a, durationS: number) =>
      sendSteadily(mailbox, {
        rate: options.outageRate,
        durationS,
        payloadBytes: options.payloadBytes,
        connections: CONNECTIONS,
        collectTrackingNumbers: true,
      });

    await resetStatements(db.pool, db.pgStats);
    const cpu = startCpuWindow(cpuSources({ postmasterPid: db.postmasterPid, processes: fleet.processes, receiver }));
    ctx.log(`outage: warm-up, ${options.outageRate} events/s to each of A, B and the healthy mailbox`);
    const warmup = await Promise.all(mailboxes.map((mailbox) => send(mailbox, WARMUP_S)));
    const startedAt = now();
    ctx.log(`outage: baseline, ${options.outageRate} events/s to each of A, B and the healthy mailbox`);
    const before = await Promise.all(mailboxes.map((mailbox) => send(mailbox, options.durationS)));

    ctx.log(`outage: A's and B's endpoints answer 500 for ${options.outageS} s`);
    let during: LoadResult[];
    let outageAt = NaN;
    try {
      await Promise.all(failingTags.map((tag) => receiver.setTagStatus(tag, 500)));
      outageAt = now();
      during = await Promise.all(mailboxes.map((mailbox) => send(mailbox, options.outageS)));
    } finally {
      await Promise.all(failingTags.map((tag) => receiver.setTagStatus(tag, 200)));
    }
    const recoveredAt = now();

    // A and B get no more events, so their drain is the outage's backlog alone; the healthy
    // mailbox keeps its load meanwhile, to show what the drain does to it.
    ctx.log(`outage: recovered; A and B drain while the healthy mailbox keeps its load for ${options.outageS} s`);
    const [after] = await Promise.all([
      send(healthy, options.outageS),
      waitForDeliveries(db.pool, receiver, a.tag, [a.id], 1, DRAIN_TIMEOUT_MS),
      waitForDeliveries(db.pool, receiver, b.tag, [b.id], 1, DRAIN_TIMEOUT_MS),
    ]);
    const endedAt = now();
    await waitForDeliveries(db.pool, receiver, healthy.tag, [healthy.id], 1, 120_000);
    const loads = [...warmup, ...before, ...during, after];
    const sent = loads.reduce((sum, load) => sum + load.ok, 0);
    result.cpu.push(cpu.end('outage', `warm-up, baseline, ${options.outageS} s outage and drain`, 'event', sent));

    const outage = { from: outageAt, to: recoveredAt };
    const [aDuring, bDuring] = await Promise.all([
      attemptCounts(db.pool, a.id, outage),
      attemptCounts(db.pool, b.id, outage),
    ]);
    const aChanges = await circuitChanges(db.pool, a.endpointIds[0]!);
    const bChanges = await circuitChanges(db.pool, b.endpointIds[0]!);
    const openings = aChanges.filter((c) => c.type === 'endpoint.circuit_opened' && c.at < recoveredAt);
    const firstOpenAt = openings[0]?.at;
    const closedAt = aChanges.find((c) => c.type === 'endpoint.circuit_closed' && c.at >= recoveredAt)?.at;
    const whileOpen =
      firstOpenAt === undefined ? null : await attemptCounts(db.pool, a.id, { from: firstOpenAt, to: recoveredAt });
    const drain = async (tag: string) => (arrivals(await receiver.deliveries(tag)).lastAt - recoveredAt) / 1000;
    const [aDrainS, bDrainS] = [await drain(a.tag), await drain(b.tag)];
    const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    const healthyBefore = await ingestToDelivered(db.pool, receiver, healthy, { from: startedAt, to: outageAt });
    const healthyDuring = await ingestToDelivered(db.pool, receiver, healthy, outage);
    const healthyAfter = await ingestToDelivered(db.pool, receiver, healthy, { from: recoveredAt, to: endedAt });
    const times = (value: number, base: number) => `${(value / Math.max(1, base)).toFixed(2)}×`;

    const rows: Row[] = [
      {
        scenario: 'outage',
        case: `A, breaker on: attempts during the ${options.outageS} s outage`,
        key: 'outage:attempts-breaker',
        count: aDuring.attempts,
        note:
          firstOpenAt === undefined
            ? 'its circuit never opened'
            : `${whileOpen!.attempts} after its circuit first opened ${seconds(firstOpenAt - outageAt)} in; ` +
              `opened ${openings.length === 1 ? 'once' : `${openings.length} times`} (a failed probe reopens it)`,
      },
      {
        scenario: 'outage',
        case: `B, breaker off: attempts during the ${options.outageS} s outage`,
        key: 'outage:attempts-no-breaker',
        count: bDuring.attempts,
        note: `up to ${bDuring.mostForOneDelivery} attempts for one delivery; ${bChanges.some((c) => c.type === 'endpoint.circuit_opened') ? 'its circuit opened (it should not have)' : 'its circuit never opened'}`,
      },
      {
        scenario: 'outage',
        case: 'attempts during the outage, A / B',
        key: 'outage:attempts-ratio',
        note: `A/B = ${(aDuring.attempts / Math.max(1, bDuring.attempts)).toFixed(3)}: what the breaker spares a failing receiver`,
      },
      {
        scenario: 'outage',
        case: 'A, breaker on: time to drain after recovery',
        key: 'outage:drain-breaker',
        durationS: aDrainS,
        count: (await receiver.stats(a.tag)).delivered,
        note:
          `last delivery ${aDrainS.toFixed(1)} s after the recovery; ` +
          (closedAt === undefined
            ? 'no circuit_closed seen'
            : `circuit closed ${seconds(closedAt - recoveredAt)} after it`),
      },
      {
        scenario: 'outage',
        case: 'B, breaker off: time to drain after recovery',
        key: 'outage:drain-no-breaker',
        durationS: bDrainS,
        count: (await receiver.stats(b.tag)).delivered,
        note: `last delivery ${bDrainS.toFixed(1)} s after the recovery (its retries wait up to 5 s +20 %)`,
      },
      {
        scenario: 'outage',
        case: `healthy ingest → delivered, ${options.outageRate}/s, before the outage`,
        key: 'outage:healthy-before',
        count: healthyBefore.count,
        p50: healthyBefore.p50,
        p99: healthyBefore.p99,
        max: healthyBefore.max,
        note: 'baseline, same run',
      },
      {
        scenario: 'outage',
        case: `healthy ingest → delivered, ${options.outageRate}/s, during the outage`,
        key: 'outage:healthy-during',
        count: healthyDuring.count,
        p50: healthyDuring.p50,
        p99: healthyDuring.p99,
        max: healthyDuring.max,
        note: `p50 ${times(healthyDuring.p50, healthyBefore.p50)}, p99 ${times(healthyDuring.p99, healthyBefore.p99)} the baseline`,
      },
      {
        scenario: 'outage',
        case: `healthy ingest → delivered, ${options.outageRate}/s, after the recovery`,
        key: 'outage:healthy-after',
        count: healthyAfter.count,
        p50: healthyAfter.p50,
        p99: healthyAfter.p99,
        max: healthyAfter.max,
        note: `while A and B drain; p50 ${times(healthyAfter.p50, healthyBefore.p50)}, p99 ${times(healthyAfter.p99, healthyBefore.p99)} the baseline`,
      },
    ];
    result.rows.push(...rows);

    result.checks.push(
      noErrors('outage: healthy load', [warmup[2]!, before[2]!, during[2]!, after]),
      noErrors("outage: A's and B's producers", [
        ...[warmup, before, during].flatMap((phase) => [phase[0]!, phase[1]!]),
      ]),
      await checkEventsStored(
        db.pool,
        mailboxes.map((m) => m.id),
        loads.flatMap((load) => load.trackingNumbers),
        CONNECTIONS * loads.length,
      ),
      await checkDeliveriesReceived(db.pool, receiver, a.tag, [a.id], 1, { once: true }),
      await checkDeliveriesReceived(db.pool, receiver, b.tag, [b.id], 1, { once: true }),
      await checkDeliveriesReceived(db.pool, receiver, healthy.tag, [healthy.id], 1),
      {
        name: "A's circuit opened during the outage and spared the receiver",
        ok: firstOpenAt !== undefined && aDuring.attempts < bDuring.attempts,
        detail: `${openings.length} openings; ${aDuring.attempts} attempts for A, ${bDuring.attempts} for B`,
      },
    );
    result.statements.push({ case: 'outage and drain', list: await topStatements(db.pool, db.pgStats) });
    result.memory.push(...memoryOf('outage', fleet.processes));
  } finally {
    await Promise.all(failingTags.map((tag) => receiver.setTagStatus(tag, 200).catch(() => undefined)));
    await fleet.stop();
  }
  return result;
}
