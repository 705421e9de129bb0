/**
 * End-to-end latency: events at a steady rate (500/s by default) while api and worker
 * run, and for each delivery the time from the event's `received_at` (set by PostgreSQL
 * in the ingest transaction) to its arrival at the receiver. Both clocks are this
 * machine's. The attempt's `started_at` splits that into waiting for the worker and
 * the HTTP request itself.
 */
import { emptyResult, memoryOf, type BenchContext, type ScenarioResult } from '../scenario.ts';
import { checkDeliveriesReceived, checkEventsStored, checkNoErrors, waitForDeliveries } from '../support/checks.ts';
import { cpuSources, startCpuWindow } from '../support/cpuWindow.ts';
import { startFleet } from '../support/fleet.ts';
import { createBenchMailbox, eventBody, ingestHeaders } from '../support/hookpostApi.ts';
import { runLoad } from '../support/loadGenerator.ts';
import { resetStatements, topStatements } from '../support/pgStatements.ts';
import { summarize } from '../support/stats.ts';
import { sampleWaitEvents } from '../support/waitEvents.ts';

/** Enough connections that the rate, not the answers' latency, paces autocannon. */
const CONNECTIONS = 64;

export async function runEndToEnd(ctx: BenchContext): Promise<ScenarioResult> {
  const { options, db, receiver } = ctx;
  const fleet = await startFleet(ctx, 'e2e');
  const result = emptyResult('e2e', fleet.describe);
  try {
    const api = { url: fleet.apiUrl, adminToken: ctx.hookpost.adminToken };
    const warmMailbox = await createBenchMailbox(api, receiver, { tag: 'e2e-warmup', fanout: 1 });
    const mailbox = await createBenchMailbox(api, receiver, { tag: 'e2e', fanout: 1 });
    const send = (target: typeof mailbox, durationS: number) =>
      runLoad({
        url: target.ingestUrl,
        method: 'POST',
        headers: ingestHeaders(target),
        body: eventBody(options.payloadBytes),
        connections: CONNECTIONS,
        overallRate: options.e2eRate,
        durationS,
        collectTrackingNumbers: true,
      });

    ctx.log('e2e: warming up');
    await send(warmMailbox, options.mode === 'short' ? 1 : 3);
    await waitForDeliveries(db.pool, receiver, 'e2e-warmup', [warmMailbox.id], 1, 60_000);
    result.checks.push(await checkDeliveriesReceived(db.pool, receiver, 'e2e-warmup', [warmMailbox.id], 1));

    await resetStatements(db.pool, db.pgStats);
    ctx.log(`e2e: ${options.e2eRate} events/s for ${options.e2eDurationS} s`);
    const cpu = startCpuWindow(cpuSources({ postmasterPid: db.postmasterPid, processes: fleet.processes, receiver }));
    const waits = sampleWaitEvents(db.pool);
    const run = await send(mailbox, options.e2eDurationS);
    result.waits.push({ case: `e2e, ${options.e2eRate} events/s`, list: await waits.stop() });
    await waitForDeliveries(db.pool, receiver, 'e2e', [mailbox.id], 1, 120_000);
    result.cpu.push(cpu.end('e2e', `${options.e2eRate} events/s`, 'event', run.ok));
    result.checks.push(checkNoErrors('e2e ingest', run));
    result.checks.push(await checkEventsStored(db.pool, [mailbox.id], run.trackingNumbers, CONNECTIONS));
    result.checks.push(await checkDeliveriesReceived(db.pool, receiver, 'e2e', [mailbox.id], 1));
    result.statements.push({ case: `${options.e2eRate} events/s`, list: await topStatements(db.pool, db.pgStats) });

    const { rows } = await db.pool.query<{ id: string; received: number; started: number; duration: number }>(
      `select d.id, extract(epoch from e.received_at) * 1000 as received, extract(epoch from a.started_at) * 1000 as started, a.duration_ms as duration
         from delivery d join event e on e.id = d.event_id join attempt a on a.delivery_id = d.id and a.number = 1
        where e.mailbox_id = $1`,
      [mailbox.id],
    );
    const arrivedAt = new Map((await receiver.deliveries('e2e')).map((r) => [r.id, r.at]));
    const total: number[] = [];
    const waiting: number[] = [];
    for (const row of rows) {
      const at = arrivedAt.get(row.id);
      if (at !== undefined) total.push(at - Number(row.received));
      waiting.push(Number(row.started) - Number(row.received));
    }
    const e2e = summarize(total);
    const pickup = summarize(waiting);
    const achieved = run.rate;
    result.rows.push(
      {
        scenario: 'e2e',
        case: `ingest → delivered at ${options.e2eRate}/s`,
        key: 'e2e',
        rate: achieved,
        unit: 'events/s',
        count: e2e.count,
        durationS: run.durationS,
        p50: e2e.p50,
        p99: e2e.p99,
        max: e2e.max,
        note: 'received_at → arrival at the receiver',
      },
      {
        scenario: 'e2e',
        case: 'ingest → attempt started',
        p50: pickup.p50,
        p99: pickup.p99,
        max: pickup.max,
        count: pickup.count,
        note: 'waiting for the worker to pick the job',
      },
      {
        scenario: 'e2e',
        case: 'producer latency (POST → 202)',
        p50: run.latency.p50,
        p99: run.latency.p99,
        max: run.latency.max,
        count: run.ok,
        errors: run.non2xx + run.errors,
      },
    );
    result.memory.push(...memoryOf('e2e', fleet.processes));
  } finally {
    await fleet.stop();
  }
  return result;
}
