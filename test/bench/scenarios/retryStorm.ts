/**
 * Retry storm: the receiver answers 500 to everything for `storm` seconds while events
 * keep arriving at a steady rate, then recovers. Measured: how long after the recovery
 * the backlog of retries is drained, how many attempts the storm cost, and that nothing
 * was lost (every delivery ends `delivered`, none `failed`).
 *
 * The storm's endpoint retries with a policy that outlasts the storm (outagePolicies.ts);
 * up to ~6 s of the drain time is that policy waiting, not Hookpost. Its health policy is
 * the default one; the outage scenario sets a breaker-on endpoint beside a breaker-off one.
 */
import { emptyResult, memoryOf, type BenchContext, type ScenarioResult } from '../scenario.ts';
import { attemptCounts } from '../support/attemptCounts.ts';
import { checkDeliveriesReceived, checkEventsStored, checkNoErrors, waitForDeliveries } from '../support/checks.ts';
import { cpuSources, startCpuWindow } from '../support/cpuWindow.ts';
import { startFleet } from '../support/fleet.ts';
import { createBenchMailbox } from '../support/hookpostApi.ts';
import { outlastingRetryPolicy } from '../support/outagePolicies.ts';
import { resetStatements, topStatements } from '../support/pgStatements.ts';
import { sendSteadily } from '../support/steadyEvents.ts';
import { arrivals } from '../support/throughput.ts';

/** Enough connections that the rate, not the answers' latency, paces autocannon. */
const CONNECTIONS = 64;

export async function runRetryStorm(ctx: BenchContext): Promise<ScenarioResult> {
  const { options, db, receiver } = ctx;
  const fleet = await startFleet(ctx, 'storm');
  const result = emptyResult(
    'retry-storm',
    `${fleet.describe}; endpoint retry policy ${JSON.stringify(outlastingRetryPolicy)}`,
  );
  try {
    const mailbox = await createBenchMailbox({ url: fleet.apiUrl, adminToken: ctx.hookpost.adminToken }, receiver, {
      tag: 'storm',
      fanout: 1,
      retryPolicy: outlastingRetryPolicy,
    });
    await resetStatements(db.pool, db.pgStats);
    const cpu = startCpuWindow(cpuSources({ postmasterPid: db.postmasterPid, processes: fleet.processes, receiver }));

    ctx.log(`retry-storm: the receiver fails for ${options.stormS} s while ${options.stormRate} events/s arrive`);
    await receiver.setStatus(500);
    let run;
    try {
      run = await sendSteadily(mailbox, {
        rate: options.stormRate,
        durationS: options.stormS,
        payloadBytes: options.payloadBytes,
        connections: CONNECTIONS,
        collectTrackingNumbers: true,
      });
    } finally {
      await receiver.setStatus(200);
    }
    const recoveredAt = performance.timeOrigin + performance.now();
    ctx.log(`retry-storm: receiver recovered; draining ${run.ok} deliveries`);
    await waitForDeliveries(db.pool, receiver, 'storm', [mailbox.id], 1, 300_000);
    result.cpu.push(cpu.end('retry-storm', `${options.stormS} s outage`, 'event', run.ok));

    const arrived = arrivals(await receiver.deliveries('storm'));
    const refused = (await receiver.stats('storm')).refused;
    const attempts = await attemptCounts(db.pool, mailbox.id);
    const drainS = (arrived.lastAt - recoveredAt) / 1000;
    result.rows.push(
      {
        scenario: 'retry-storm',
        case: `events sent during a ${options.stormS} s outage`,
        rate: run.rate,
        unit: 'events/s',
        count: run.ok,
        errors: run.non2xx + run.errors,
        p50: run.latency.p50,
        p99: run.latency.p99,
        max: run.latency.max,
        note: 'producer latency while the receiver fails',
      },
      {
        scenario: 'retry-storm',
        case: 'time to drain after recovery',
        key: 'storm:drain',
        durationS: drainS,
        count: arrived.count,
        note: `last delivery ${drainS.toFixed(1)} s after the receiver recovered`,
      },
      {
        scenario: 'retry-storm',
        case: 'attempts',
        count: attempts.attempts,
        note: `${refused} refused by the receiver, up to ${attempts.mostForOneDelivery} attempts for one delivery, ${attempts.failedDeliveries} deliveries failed`,
      },
    );
    result.checks.push(checkNoErrors('retry-storm ingest', run));
    result.checks.push({
      name: 'no delivery gave up',
      ok: attempts.failedDeliveries === 0,
      detail: `${attempts.failedDeliveries} deliveries ended 'failed'`,
    });
    result.checks.push(await checkEventsStored(db.pool, [mailbox.id], run.trackingNumbers, CONNECTIONS));
    result.checks.push(await checkDeliveriesReceived(db.pool, receiver, 'storm', [mailbox.id], 1));
    result.statements.push({ case: 'storm and drain', list: await topStatements(db.pool, db.pgStats) });
    result.memory.push(...memoryOf('retry-storm', fleet.processes));
  } finally {
    await receiver.setStatus(200).catch(() => undefined);
    await fleet.stop();
  }
  return result;
}
