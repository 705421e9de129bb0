/**
 * Noisy neighbour: what one bad endpoint, or one heavy reader, does to everyone else. A
 * healthy mailbox with four endpoints gets a steady load throughout; after a warm-up as
 * long as a phase (the first seconds after start-up are slow and would flatter whatever
 * is compared with them), its endpoints' ingest → delivered latency and its producer's
 * ingest latency are measured in three phases of the same run:
 * 1. beside GraphQL readers looping on the most expensive query the limits allow
 *    (heavyReaders.ts);
 * 2. alone: the baseline of 1, 3 and 4 (the readers leave nothing behind; the tarpit would);
 * 3. beside a healthy neighbour: another mailbox gets the same load, and its one endpoint
 *    answers at once: what the tarpit's extra load costs, without its badness;
 * 4. the same run without the bad endpoint: another mailbox gets the same load and has
 *    no endpoint (its events are stored, unrouted): the producers' traffic of 5, without
 *    the tarpit;
 * 5. beside a tarpit: another mailbox gets the same load, and its one endpoint accepts
 *    every connection and never answers, so each of its attempts holds a request slot
 *    until the endpoint's timeout (the default 15 s; 5 s in short mode, so that its 8 s
 *    phase sees timeouts and retries too).
 * Target (targets.ts, issue 14's "beside the same run without the bad endpoint"): the
 * healthy endpoints' p50 and p99 in 5 within 1.5× of 4; their ratios to 2 (alone, half
 * the traffic) and 3 are reported beside it.
 * Checked: nothing acknowledged was lost, every healthy delivery arrived, the healthy
 * producer saw no errors, the tarpit took requests and the readers were answered. At the
 * end the tarpit's endpoint is deleted, which cancels its waiting deliveries, so the
 * scenarios after this one do not inherit its backlog.
 */
import { emptyResult, memoryOf, type BenchContext, type Row, type ScenarioResult } from '../scenario.ts';
import { checkDeliveriesReceived, checkEventsStored, checkNoErrors, waitForDeliveries } from '../support/checks.ts';
import { cpuSources, startCpuWindow, type CpuRow } from '../support/cpuWindow.ts';
import { startFleet } from '../support/fleet.ts';
import { startHeavyReaders } from '../support/heavyReaders.ts';
import { createBenchMailbox, deleteEndpoint, updateEndpoint } from '../support/hookpostApi.ts';
import { ingestToDelivered, ingestToFirstRequest } from '../support/ingestToDelivered.ts';
import type { LoadResult } from '../support/loadGenerator.ts';
import { resetStatements, topStatements } from '../support/pgStatements.ts';
import type { LatencySummary } from '../support/stats.ts';
import { sendSteadily } from '../support/steadyEvents.ts';

/** The healthy mailbox's endpoints: each event is four deliveries. */
const HEALTHY_ENDPOINTS = 4;
/** Per mailbox: at 50-100 events/s, enough that the rate, not the answers' latency, paces the sending. */
const CONNECTIONS = 32;
/** GraphQL readers looping at once: more than one, fewer than the read pool's connections. */
const READERS = 4;
/** The tarpit endpoint's timeout in short mode (ms); full mode keeps the product's default. */
const SHORT_TARPIT_TIMEOUT_MS = 5_000;

const now = () => performance.timeOrigin + performance.now();
const times = (value: number, base: number) => `${(value / Math.max(1, base)).toFixed(2)}×`;

interface Phase {
  load: LoadResult;
  /** The healthy endpoints' ingest → delivered, for the events stored during the phase. */
  latency: LatencySummary;
  /** Its first part: stored → the first request left the worker. */
  waited: LatencySummary;
}

export async function runNoisyNeighbour(ctx: BenchContext): Promise<ScenarioResult> {
  const { options, db, receiver } = ctx;
  const short = options.mode === 'short';
  const fleet = await startFleet(ctx, 'noisy');
  const result = emptyResult(
    'noisy-neighbour',
    `${fleet.describe}; ${options.noisyRate} events/s to a healthy mailbox with ${HEALTHY_ENDPOINTS} endpoints throughout, ` +
      `in ${options.noisyS} s phases after a warm-up as long: beside ${READERS} GraphQL readers looping on the most expensive ` +
      `allowed query, alone, beside a healthy neighbour sent ${options.noisyRate} events/s, without the bad endpoint (its ` +
      `${options.noisyRate} events/s to a mailbox without endpoints), beside a tarpit endpoint (never answers; timeout ` +
      `${short ? `${SHORT_TARPIT_TIMEOUT_MS} ms` : 'the default'}) sent ${options.noisyRate} events/s`,
  );
  const api = { url: fleet.apiUrl, adminToken: ctx.hookpost.adminToken };
  let tarpitEndpoint: string | undefined;
  try {
    const healthy = await createBenchMailbox(api, receiver, { tag: 'noisy-healthy', fanout: HEALTHY_ENDPOINTS });
    const neighbour = await createBenchMailbox(api, receiver, { tag: 'noisy-neighbour', fanout: 1 });
    const tarpit = await createBenchMailbox(api, receiver, { tag: 'noisy-tarpit', fanout: 1 });
    const endpointless = await createBenchMailbox(api, receiver, { tag: 'noisy-endpointless', fanout: 0 });
    tarpitEndpoint = tarpit.endpointIds[0]!;
    if (short) await updateEndpoint(api, tarpitEndpoint, { timeout_ms: SHORT_TARPIT_TIMEOUT_MS });
    await receiver.tarpit(tarpit.tag);
    const send = (mailbox: typeof healthy) =>
      sendSteadily(mailbox, {
        rate: options.noisyRate,
        durationS: options.noisyS,
        payloadBytes: options.payloadBytes,
        connections: CONNECTIONS,
        collectTrackingNumbers: true,
      });
    const windows: { from: number; to: number }[] = [];
    const sources = cpuSources({ postmasterPid: db.postmasterPid, processes: fleet.processes, receiver });
    const phaseCpu: CpuRow[] = [];
    /** One measured phase: its window of stored events, and who spent the CPU meanwhile (per healthy delivery). */
    const timed = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
      const from = now();
      const phaseWindow = startCpuWindow(sources);
      const value = await work();
      windows.push({ from, to: now() });
      phaseCpu.push(
        phaseWindow.end(
          'noisy-neighbour',
          name,
          'healthy delivery',
          options.noisyRate * options.noisyS * HEALTHY_ENDPOINTS,
        ),
      );
      return value;
    };

    await resetStatements(db.pool, db.pgStats);
    const cpu = startCpuWindow(sources);
    ctx.log(`noisy-neighbour: ${options.noisyS} s warm-up, ${options.noisyRate} events/s to the healthy mailbox`);
    const warmup = await send(healthy);
    // Each phase starts with nothing left over from the one before.
    const drained = () => waitForDeliveries(db.pool, receiver, healthy.tag, [healthy.id], HEALTHY_ENDPOINTS, 120_000);
    await drained();
    // Statistics, as a server that has been running has them. The statements prepared on
    // the first, still empty tables keep plans that scan them whole (delivery, event) until
    // something analyzes them: autovacuum's first pass comes a minute or more into the run
    // (never where it is off), so each phase paid more than the one before for the rows
    // they added, and the last phase, the tarpit's, most (run Z, docs/performance-history.md).
    await db.pool.query('analyze');

    ctx.log(`noisy-neighbour: the same beside ${READERS} GraphQL readers of the most expensive allowed query`);
    const readers = startHeavyReaders(api, READERS);
    const besideReaders = await timed('beside the readers', () => send(healthy).finally(() => readers.stop()));
    const reads = await readers.stop();
    await drained();

    ctx.log('noisy-neighbour: the healthy mailbox alone, the baseline');
    const alone = await timed('alone', () => send(healthy));
    await drained();

    ctx.log(`noisy-neighbour: the same beside a healthy neighbour sent ${options.noisyRate} events/s`);
    const [besideNeighbour, neighbourLoad] = await timed('beside the healthy neighbour', () =>
      Promise.all([send(healthy), send(neighbour)]),
    );
    await drained();
    await waitForDeliveries(db.pool, receiver, neighbour.tag, [neighbour.id], 1, 120_000);

    ctx.log(
      `noisy-neighbour: the same run without the bad endpoint: its ${options.noisyRate} events/s to a mailbox without endpoints`,
    );
    const [withoutTarpit, endpointlessLoad] = await timed('without the bad endpoint', () =>
      Promise.all([send(healthy), send(endpointless)]),
    );
    await drained();

    ctx.log(`noisy-neighbour: the same beside a tarpit endpoint sent ${options.noisyRate} events/s`);
    const [besideTarpit, tarpitLoad] = await timed('beside the tarpit', () =>
      Promise.all([send(healthy), send(tarpit)]),
    );
    await waitForDeliveries(db.pool, receiver, healthy.tag, [healthy.id], HEALTHY_ENDPOINTS, 120_000);
    const healthyLoads = [warmup, besideReaders, alone, besideNeighbour, withoutTarpit, besideTarpit];
    const sent = [...healthyLoads, neighbourLoad, endpointlessLoad, tarpitLoad].reduce((sum, load) => sum + load.ok, 0);
    result.cpu.push(
      cpu.end('noisy-neighbour', 'warm-up, the five phases and the healthy drain', 'event', sent),
      ...phaseCpu,
    );

    const phase = async (load: LoadResult, i: number): Promise<Phase> => ({
      load,
      latency: await ingestToDelivered(db.pool, receiver, healthy, windows[i]),
      waited: await ingestToFirstRequest(db.pool, healthy, windows[i]!),
    });
    const [readersPhase, baseline, neighbourPhase, withoutPhase, tarpitPhase] = await Promise.all([
      phase(besideReaders, 0),
      phase(alone, 1),
      phase(besideNeighbour, 2),
      phase(withoutTarpit, 3),
      phase(besideTarpit, 4),
    ]);
    const held = (await receiver.stats(tarpit.tag)).held;
    const {
      rows: [tarpitAttempts],
    } = await db.pool.query<{ attempts: number; timeouts: number }>(
      `select count(*)::int as attempts, count(*) filter (where a.error_kind = 'timeout')::int as timeouts
         from attempt a join delivery d on d.id = a.delivery_id where d.endpoint_id = $1`,
      [tarpitEndpoint],
    );
    const refusals = Object.entries(reads.refused)
      .map(([code, count]) => `${count} ${code}`)
      .join(', ');

    const delivered = (phase: Phase, key: string, what: string, note: string): Row[] => [
      {
        scenario: 'noisy-neighbour',
        case: `healthy ingest → delivered, ${what}`,
        key,
        count: phase.latency.count,
        p50: phase.latency.p50,
        p99: phase.latency.p99,
        max: phase.latency.max,
        note,
      },
      {
        scenario: 'noisy-neighbour',
        case: `  of which stored → first request left`,
        key: `${key}:waited`,
        count: phase.waited.count,
        p50: phase.waited.p50,
        p99: phase.waited.p99,
        max: phase.waited.max,
        note: 'queued, claimed, waiting for a request slot',
      },
    ];
    const ingest = (phase: Phase, key: string, what: string, note: string): Row => ({
      scenario: 'noisy-neighbour',
      case: `ingest at ${options.noisyRate}/s, ${what}`,
      key,
      rate: phase.load.rate,
      unit: 'events/s',
      count: phase.load.ok,
      p50: phase.load.latency.p50,
      p99: phase.load.latency.p99,
      max: phase.load.latency.max,
      note,
    });
    const againstBaseline = (phase: Phase) =>
      `p50 ${times(phase.latency.p50, baseline.latency.p50)}, p99 ${times(phase.latency.p99, baseline.latency.p99)} alone`;
    result.rows.push(
      ...delivered(
        readersPhase,
        'noisy:healthy-readers',
        `${options.noisyRate}/s × ${HEALTHY_ENDPOINTS} endpoints, beside ${READERS} heavy GraphQL readers`,
        againstBaseline(readersPhase),
      ),
      ...delivered(baseline, 'noisy:healthy-alone', 'alone', 'the baseline, same run'),
      ...delivered(
        neighbourPhase,
        'noisy:healthy-neighbour',
        `beside a healthy neighbour sent ${options.noisyRate}/s`,
        againstBaseline(neighbourPhase),
      ),
      ...delivered(
        withoutPhase,
        'noisy:healthy-without-tarpit',
        `the same run without the bad endpoint (its ${options.noisyRate}/s to a mailbox without endpoints)`,
        againstBaseline(withoutPhase),
      ),
      ...delivered(
        tarpitPhase,
        'noisy:healthy-tarpit',
        `beside a tarpit endpoint sent ${options.noisyRate}/s`,
        `p50 ${times(tarpitPhase.latency.p50, withoutPhase.latency.p50)}, p99 ${times(tarpitPhase.latency.p99, withoutPhase.latency.p99)} without it; ` +
          `${againstBaseline(tarpitPhase)}; p50 ${times(tarpitPhase.latency.p50, neighbourPhase.latency.p50)}, ` +
          `p99 ${times(tarpitPhase.latency.p99, neighbourPhase.latency.p99)} beside the healthy neighbour`,
      ),
      ingest(
        readersPhase,
        'noisy:ingest-readers',
        `beside ${READERS} heavy GraphQL readers`,
        `p99 ${times(readersPhase.load.latency.p99, baseline.load.latency.p99)} alone; the readers got ${reads.answered} answers` +
          (refusals ? `, ${refusals}` : '') +
          (reads.failed ? `, ${reads.failed} failed requests` : ''),
      ),
      ingest(baseline, 'noisy:ingest-alone', 'alone', "the healthy producer's answers; the baseline"),
      ingest(
        neighbourPhase,
        'noisy:ingest-neighbour',
        'beside the healthy neighbour',
        `p99 ${times(neighbourPhase.load.latency.p99, baseline.load.latency.p99)} alone`,
      ),
      ingest(
        withoutPhase,
        'noisy:ingest-without-tarpit',
        'without the bad endpoint',
        `p99 ${times(withoutPhase.load.latency.p99, baseline.load.latency.p99)} alone`,
      ),
      ingest(
        tarpitPhase,
        'noisy:ingest-tarpit',
        'beside the tarpit',
        `p99 ${times(tarpitPhase.load.latency.p99, baseline.load.latency.p99)} alone`,
      ),
      {
        scenario: 'noisy-neighbour',
        case: 'tarpit: requests it held open',
        key: 'noisy:tarpit',
        count: held,
        note: `${tarpitLoad.ok} events sent to it; ${tarpitAttempts!.attempts} attempts recorded by the end, ${tarpitAttempts!.timeouts} of them timeouts`,
      },
    );

    const phaseNames = [
      'warm-up',
      'beside the readers',
      'alone',
      'beside the healthy neighbour',
      'without the bad endpoint',
      'beside the tarpit',
    ];
    result.checks.push(
      ...healthyLoads.map((load, i) => checkNoErrors(`noisy-neighbour: healthy producer, ${phaseNames[i]}`, load)),
      await checkEventsStored(
        db.pool,
        [healthy.id],
        healthyLoads.flatMap((load) => load.trackingNumbers),
        CONNECTIONS * healthyLoads.length,
      ),
      await checkDeliveriesReceived(db.pool, receiver, healthy.tag, [healthy.id], HEALTHY_ENDPOINTS),
      checkNoErrors('noisy-neighbour: the healthy neighbour', neighbourLoad),
      await checkDeliveriesReceived(db.pool, receiver, neighbour.tag, [neighbour.id], 1),
      checkNoErrors('noisy-neighbour: the producer to the mailbox without endpoints', endpointlessLoad),
      {
        name: 'the tarpit took requests and the heavy readers were answered',
        ok: held > 0 && reads.answered > 0,
        detail: `${held} requests held by the tarpit; ${reads.answered} heavy queries answered${refusals ? `, ${refusals}` : ''}`,
      },
    );
    result.statements.push({ case: 'the five phases', list: await topStatements(db.pool, db.pgStats) });
    result.memory.push(...memoryOf('noisy-neighbour', fleet.processes));
  } finally {
    // Its waiting deliveries are cancelled, so no later scenario sends to the tarpit.
    if (tarpitEndpoint) await deleteEndpoint(api, tarpitEndpoint).catch(() => undefined);
    await fleet.stop();
  }
  return result;
}
