/**
 * Retry storm: the receiver answers 500 to everything for `storm` seconds while events
 * keep arriving at a steady rate, then recovers. Measured: how long after the recovery
 * the backlog of retries is drained, how many attempts the storm cost, and that nothing
 * was lost (every delivery ends `delivered`, none `failed`).
 *
 * The default retry policy gives up after 3 attempts (0 s, +2 s, +4 s), which would
 * fail every delivery of a 30 s outage by design. The storm's endpoint therefore has a
 * policy that outlasts it: up to 50 attempts, 1 s doubling to a 5 s cap, ±20 % jitter.
 * With that cap, up to ~6 s of the drain time is the policy waiting, not Hookpost.
 */
import { emptyResult, memoryOf, type BenchContext, type ScenarioResult } from '../scenario.ts';
import { checkDeliveriesReceived, checkEventsStored, checkNoErrors, waitForDeliveries } from '../support/checks.ts';
import { cpuSources, startCpuWindow } from '../support/cpuWindow.ts';
import { startFleet } from '../support/fleet.ts';
import { createBenchMailbox, eventBody, ingestHeaders, type RetryPolicyBody } from '../support/hookpostApi.ts';
import { runLoad } from '../support/loadGenerator.ts';
import { resetStatements, topStatements } from '../support/pgStatements.ts';
import { arrivals } from '../support/throughput.ts';

/** Enough connections that the rate, not the answers' latency, paces autocannon. */
const CONNECTIONS = 64;

export const stormRetryPolicy: RetryPolicyBody = {
  max_attempts: 50,
  base_delay_ms: 1_000,
  factor: 2,
  max_delay_ms: 5_000,
  jitter: 0.2,
};

export async function runRetryStorm(ctx: BenchContext): Promise<ScenarioResult> {
  const { options, db, receiver } = ctx;
  const fleet = await startFleet(ctx, 'storm');
  const result = emptyResult(
    'retry-storm',
    `${fleet.describe}; endpoint retry policy ${JSON.stringify(stormRetryPolicy)}`,
  );
  try {
    const mailbox = await createBenchMailbox({ url: fleet.apiUrl, adminToken: ctx.hookpost.adminToken }, receiver, {
      tag: 'storm',
      fanout: 1,
      retryPolicy: stormRetryPolicy,
    });
    await resetStatements(db.pool, db.pgStats);
    const cpu = startCpuWindow(cpuSources({ postmasterPid: db.postmasterPid, processes: fleet.processes, receiver }));

    ctx.log(`retry-storm: the receiver fails for ${options.stormS} s while ${options.stormRate} events/s arrive`);
    await receiver.setStatus(500);
    let run;
    try {
      run = await runLoad({
        url: mailbox.ingestUrl,
        method: 'POST',
        headers: ingestHeaders(mailbox),
        body: eventBody(options.payloadBytes),
        connections: CONNECTIONS,
        overallRate: options.stormRate,
        durationS: options.stormS,
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
    const {
      rows: [attempts],
    } = await db.pool.query<{ total: number; most: number; failed: number }>(
      `select count(a.*)::int as total, coalesce(max(a.number), 0)::int as most,
              (select count(*)::int from delivery d2 join event e2 on e2.id = d2.event_id where e2.mailbox_id = $1 and d2.status = 'failed') as failed
         from attempt a join delivery d on d.id = a.delivery_id join event e on e.id = d.event_id where e.mailbox_id = $1`,
      [mailbox.id],
    );
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
        count: attempts!.total,
        note: `${refused} refused by the receiver, up to ${attempts!.most} attempts for one delivery, ${attempts!.failed} deliveries failed`,
      },
    );
    result.checks.push(checkNoErrors('retry-storm ingest', run));
    result.checks.push({
      name: 'no delivery gave up',
      ok: attempts!.failed === 0,
      detail: `${attempts!.failed} deliveries ended 'failed'`,
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
