/**
 * Ingest: accepted events per second and the producer's latency at 16, 64 and 256
 * connections (1 KB JSON bodies, one endpoint per mailbox, so each event is an event
 * row, a delivery row and a job), then at a steady rate for the p99 target. Only the
 * api process runs while measuring; afterwards a worker delivers everything that was
 * accepted, which proves nothing acknowledged was lost.
 *
 * Last, the ratio target in adjacent pairs: the insert ceiling at 64 clients and ingest
 * at 64 connections, back to back, `ratioPairs` times (which goes first alternates).
 * The ceiling run minutes earlier moved by a fifth from one run to the next on a shared
 * machine; a ratio of two windows seconds apart, taken as the median of a few, does not
 * depend on what the machine did in between.
 */
import { ceilingConnections, ceilingRow, openInsertCeiling } from '../baselines/insertCeiling.ts';
import { emptyResult, memoryOf, type BenchContext, type ScenarioResult } from '../scenario.ts';
import { checkDeliveriesReceived, checkEventsStored, checkNoErrors, waitForDeliveries } from '../support/checks.ts';
import { cpuSources, startCpuWindow } from '../support/cpuWindow.ts';
import { createBenchMailbox, eventBody, ingestHeaders } from '../support/hookpostApi.ts';
import { runLoad, type LoadOptions, type LoadResult } from '../support/loadGenerator.ts';
import { resetStatements, topStatements } from '../support/pgStatements.ts';
import { arrivals } from '../support/throughput.ts';
import { countAbove, quantileBetween, readApiMetrics, type ApiReading } from '../support/serverLatency.ts';
import { sampleWaitEvents } from '../support/waitEvents.ts';

/** The p99 target's bound: at a steady rate, how many requests took longer, on each side. */
const TAIL_MS = 25;

export async function runIngest(ctx: BenchContext): Promise<ScenarioResult> {
  const { options, db, receiver } = ctx;
  const result = emptyResult(
    'ingest',
    'one api process (--role api), no worker while measuring; a worker process delivers the accepted events afterwards',
  );
  const tracking: string[] = [];
  // Answers the load generator may not have read when a timed run stopped (see checkEventsStored).
  let inFlight = 0;
  const api = await ctx.startHookpost('api', 'ingest-api');
  let mailboxId: string;
  try {
    const mailbox = await createBenchMailbox({ url: api.url!, adminToken: ctx.hookpost.adminToken }, receiver, {
      tag: 'ingest',
      fanout: 1,
    });
    mailboxId = mailbox.id;
    const load = (
      connections: number,
      extra: Pick<LoadOptions, 'durationS' | 'overallRate' | 'warmupS' | 'onWindowStart' | 'countOverMs'>,
    ) => {
      inFlight += connections;
      return runLoad({
        url: mailbox.ingestUrl,
        method: 'POST',
        headers: ingestHeaders(mailbox),
        body: eventBody(options.payloadBytes),
        connections,
        collectTrackingNumbers: true,
        ...extra,
      });
    };
    const sources = cpuSources({ postmasterPid: db.postmasterPid, processes: [api] });
    // Which side a tail comes from: Hookpost's own timing, its event loop, the generator's.
    const record = (
      caseName: string,
      key: string,
      run: LoadResult,
      api: { before: ApiReading; after: ApiReading },
      note?: string,
    ) => {
      tracking.push(...run.trackingNumbers);
      const serverP50 = quantileBetween(api.before.ingest, api.after.ingest, 0.5) ?? undefined;
      const serverP99 = quantileBetween(api.before.ingest, api.after.ingest, 0.99) ?? undefined;
      const inside = [
        serverP99 === undefined ? '' : `inside Hookpost p50 ${serverP50!.toFixed(1)}, p99 ${serverP99.toFixed(1)} ms`,
        api.after.eventLoopMaxMs === null ? '' : `api event loop stalled ≤ ${api.after.eventLoopMaxMs.toFixed(0)} ms`,
        run.generator
          ? `generator sent ≤ ${run.generator.sendLagMaxMs.toFixed(0)} ms late, its event loop stalled ≤ ${run.generator.eventLoopMaxMs.toFixed(0)} ms, ` +
            `≤ ${run.generator.waitingForConnectionMax} requests waited for a free connection`
          : '',
        run.generator?.slowerThanCount === undefined
          ? ''
          : `over ${TAIL_MS} ms: ${run.generator.slowerThanCount} requests as the generator saw them, ${countAbove(api.before.ingest, api.after.ingest, TAIL_MS / 1000) ?? '?'} inside Hookpost`,
      ]
        .filter(Boolean)
        .join(', ');
      result.rows.push({
        scenario: 'ingest',
        case: caseName,
        key,
        rate: run.rate,
        unit: 'events/s',
        count: run.ok,
        durationS: run.durationS,
        p50: run.latency.p50,
        p99: run.latency.p99,
        max: run.latency.max,
        errors: run.non2xx + run.errors,
        serverP50,
        serverP99,
        note: [inside, note].filter(Boolean).join('; ') || undefined,
      });
      result.checks.push(checkNoErrors(`ingest ${caseName}`, run));
    };

    ctx.log('ingest: warming up (JIT, pool connections, prepared statements)');
    const warm = await load(16, { durationS: options.mode === 'short' ? 1 : 3 });
    tracking.push(...warm.trackingNumbers);
    result.checks.push(checkNoErrors('ingest warm-up', warm));
    await resetStatements(db.pool, db.pgStats);

    for (const connections of options.connections) {
      ctx.log(`ingest: ${connections} connections for ${options.durationS} s`);
      const cpu = startCpuWindow(sources);
      const waits = sampleWaitEvents(db.pool);
      const before = await readApiMetrics(api.opsUrl);
      const run = await load(connections, { durationS: options.durationS });
      const after = await readApiMetrics(api.opsUrl);
      result.cpu.push(cpu.end('ingest', `${connections} connections`, 'event', run.ok));
      result.waits.push({ case: `ingest, ${connections} connections`, list: await waits.stop() });
      record(`${connections} connections`, `ingest:${connections}`, run, { before, after });
    }

    const rate = options.ingestRate;
    // Read as the measured window begins, without holding up the requests being paced.
    let beforeSteady: Promise<ApiReading> | undefined;
    // The warm-up's events are not in the latency figures, but they are checked like the rest.
    const warmupS = options.mode === 'short' ? 0.5 : 2;
    ctx.log(
      `ingest: steady ${rate} events/s over 64 connections, ${warmupS} s warm-up then ${options.durationS} s measured`,
    );
    const cpu = startCpuWindow(sources);
    const steady = await load(64, {
      durationS: options.durationS,
      overallRate: rate,
      warmupS,
      countOverMs: TAIL_MS,
      onWindowStart: () => {
        beforeSteady = readApiMetrics(api.opsUrl);
        beforeSteady.catch(() => undefined); // awaited after the run: no unhandled rejection before then
      },
    });
    const afterSteady = await readApiMetrics(api.opsUrl);
    // CPU is read over the warm-up too, so per event it counts every event accepted.
    result.cpu.push(cpu.end('ingest', `64 connections at ${rate}/s`, 'event', steady.trackingNumbers.length));
    const kept = steady.rate / rate;
    // beforeSteady is set: the window always begins (it lasts at least a second).
    record(
      `64 connections at ${rate}/s`,
      'ingest:steady',
      steady,
      { before: await beforeSteady!, after: afterSteady },
      kept < 0.95 ? `only ${Math.round(steady.rate)}/s achieved: over capacity` : undefined,
    );

    result.statements.push({ case: 'all ingest runs', list: await topStatements(db.pool, db.pgStats) });

    if (options.ratioPairs > 0) {
      const ceiling = await openInsertCeiling(ctx);
      try {
        for (let pair = 1; pair <= options.ratioPairs; pair++) {
          // Alternating the order cancels a drift of the machine that runs through the pairs.
          for (const side of pair % 2 === 1 ? (['ceiling', 'ingest'] as const) : (['ingest', 'ceiling'] as const)) {
            if (side === 'ceiling') {
              const clients = await ceilingConnections(db, 64);
              ctx.log(`ingest: pair ${pair}, insert ceiling at ${clients} clients for ${options.durationS} s`);
              const measured = await ceiling.measure(clients, { pgbench: options.insertDriver === 'pgbench' });
              result.rows.push(
                ceilingRow(measured, {
                  scenario: 'ingest',
                  case: `pair ${pair}: insert ceiling, ${clients} clients`,
                  key: `pair:${pair}:insert`,
                }),
              );
            } else {
              ctx.log(`ingest: pair ${pair}, 64 connections for ${options.durationS} s`);
              const before = await readApiMetrics(api.opsUrl);
              const run = await load(64, { durationS: options.durationS });
              record(`pair ${pair}: 64 connections`, `pair:${pair}:ingest`, run, {
                before,
                after: await readApiMetrics(api.opsUrl),
              });
            }
          }
        }
      } finally {
        await ceiling.close();
      }
    }
    result.checks.push(await checkEventsStored(db.pool, [mailbox.id], tracking, inFlight));
    result.memory.push(...memoryOf('ingest', [api]));
  } finally {
    await api.stop();
  }

  ctx.log(`ingest: delivering the ${tracking.length} accepted events to prove none was lost`);
  const worker = await ctx.startHookpost('worker', 'ingest-worker');
  try {
    await waitForDeliveries(db.pool, receiver, 'ingest', [mailboxId], 1, Math.max(120_000, tracking.length * 5));
    const arrived = arrivals(await receiver.deliveries('ingest'));
    result.rows.push({
      scenario: 'ingest',
      case: 'worker drains what was accepted',
      rate: arrived.rate,
      unit: 'deliveries/s',
      count: arrived.count,
      durationS: arrived.spanS,
      note: 'the backlog left by the ingest runs',
    });
    result.checks.push(await checkDeliveriesReceived(db.pool, receiver, 'ingest', [mailboxId], 1));
    result.memory.push(...memoryOf('ingest (drain)', [worker]));
  } finally {
    await worker.stop();
  }
  return result;
}
