/**
 * Delivery: deliveries per second from a backlog to a receiver that answers 200 at
 * once, first with one endpoint per mailbox (`backlog` events), then with `fanout`
 * endpoints (backlog / fanout events, so both runs make as many deliveries). The
 * backlog is loaded while no worker runs; then one worker process starts alone and the
 * rate is taken between the first and the last arrival at the receiver.
 */
import { emptyResult, memoryOf, type BenchContext, type ScenarioResult } from '../scenario.ts';
import { checkDeliveriesReceived, checkEventsStored, waitForDeliveries } from '../support/checks.ts';
import { cpuSources, startCpuWindow } from '../support/cpuWindow.ts';
import { createBenchMailbox } from '../support/hookpostApi.ts';
import { resetStatements, topStatements } from '../support/pgStatements.ts';
import { preloadBacklog } from '../support/preload.ts';
import { arrivals } from '../support/throughput.ts';
import { sampleWaitEvents } from '../support/waitEvents.ts';

export async function runDelivery(ctx: BenchContext): Promise<ScenarioResult> {
  const { options, db, receiver } = ctx;
  const result = emptyResult(
    'delivery',
    `backlog pre-loaded ${options.preload === 'api' ? 'through the ingest API (api process, no worker)' : "with Hookpost's ingest statement (no worker)"}; then one worker process (--role worker) alone`,
  );
  for (const fanout of [1, options.fanout]) {
    const events = fanout === 1 ? options.backlog : Math.ceil(options.backlog / fanout);
    const deliveries = events * fanout;
    const tag = `delivery-f${fanout}`;
    const caseName = `fan-out ${fanout}: ${events} events, ${deliveries} deliveries`;

    const api = await ctx.startHookpost('api', `${tag}-api`);
    let mailboxId: string;
    try {
      const mailbox = await createBenchMailbox({ url: api.url!, adminToken: ctx.hookpost.adminToken }, receiver, {
        tag,
        fanout,
      });
      mailboxId = mailbox.id;
      ctx.log(`delivery: pre-loading ${events} events (fan-out ${fanout}) via ${options.preload}`);
      const preloaded = await preloadBacklog(options.preload, db.url, mailbox, events, options.payloadBytes);
      result.notes.push(
        `fan-out ${fanout}: backlog loaded at ${Math.round(preloaded.rate)} events/s via ${options.preload}.`,
      );
      result.checks.push({
        name: `pre-load fan-out ${fanout}: no errors`,
        ok: preloaded.errors === 0,
        detail: `${preloaded.errors} errors`,
      });
      result.checks.push(await checkEventsStored(db.pool, [mailbox.id], preloaded.trackingNumbers));
      result.memory.push(...memoryOf(`delivery fan-out ${fanout} (pre-load)`, [api]));
    } finally {
      await api.stop();
    }

    await resetStatements(db.pool, db.pgStats);
    ctx.log(`delivery: one worker drains ${deliveries} deliveries`);
    const started = Date.now();
    const worker = await ctx.startHookpost('worker', `${tag}-worker`);
    try {
      const cpu = startCpuWindow(cpuSources({ postmasterPid: db.postmasterPid, processes: [worker], receiver }));
      const waits = sampleWaitEvents(db.pool);
      await waitForDeliveries(db.pool, receiver, tag, [mailboxId], fanout, Math.max(120_000, deliveries * 10));
      result.cpu.push(cpu.end('delivery', `fan-out ${fanout}`, 'delivery', deliveries));
      result.waits.push({ case: `delivery, fan-out ${fanout}`, list: await waits.stop() });
      const arrived = arrivals(await receiver.deliveries(tag));
      result.rows.push({
        scenario: 'delivery',
        case: caseName,
        key: `delivery:f${fanout}`,
        rate: arrived.rate,
        unit: 'deliveries/s',
        count: arrived.count,
        durationS: arrived.spanS,
        note: `${((Date.now() - started) / 1000).toFixed(1)} s from worker start to all recorded`,
      });
      result.statements.push({ case: `fan-out ${fanout}`, list: await topStatements(db.pool, db.pgStats) });
      result.memory.push(...memoryOf(`delivery fan-out ${fanout} (${events} events backlog)`, [worker]));
      result.checks.push(await checkDeliveriesReceived(db.pool, receiver, tag, [mailboxId], fanout));
    } finally {
      await worker.stop();
    }
  }
  return result;
}
