/**
 * Bulk replay: N deliveries fail (the receiver answers 500, one attempt each, circuit
 * breaker off), then the receiver recovers and one replay puts them all back in line.
 * Measured: the replay's throughput, and what it does to live traffic — events sent at a
 * steady rate to another mailbox, ingest → delivered, while the replay runs, beside the
 * same load just before it (the baseline, same run). Checked: every replayed delivery
 * arrives exactly once more, none is left failed, and the live events are all delivered.
 */
import { emptyResult, memoryOf, type BenchContext, type ScenarioResult, type Row } from '../scenario.ts';
import { checkNoErrors, waitForDeliveries } from '../support/checks.ts';
import { startFleet } from '../support/fleet.ts';
import { createBenchMailbox, updateEndpoint, type BenchMailbox } from '../support/hookpostApi.ts';
import { ingestToDelivered } from '../support/ingestToDelivered.ts';
import { breakerOff } from '../support/outagePolicies.ts';
import { sendSteadily } from '../support/steadyEvents.ts';
import { waitFor } from '../support/waitFor.ts';
import type pg from 'pg';

const CONNECTIONS = 64;
/** The live load beside the replay: a steady trickle, as production traffic would be. */
const LIVE_RATE = 200;

async function api<T>(url: string, token: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

async function countByStatus(pool: pg.Pool, mailboxId: string, status: string): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `select count(*)::int as n from delivery d join event e on e.id = d.event_id where e.mailbox_id = $1 and d.status = $2`,
    [mailboxId, status],
  );
  return rows[0]!.n;
}

export async function runReplay(ctx: BenchContext): Promise<ScenarioResult> {
  const { options, db, receiver } = ctx;
  const fleet = await startFleet(ctx, 'replay');
  const result = emptyResult('replay', `${fleet.describe}; replay at HOOKPOST_REPLAY_PER_SECOND (default 500/s)`);
  const token = ctx.hookpost.adminToken;
  try {
    const target = { url: fleet.apiUrl, adminToken: token };
    const dead = await createBenchMailbox(target, receiver, {
      tag: 'replay-dead',
      fanout: 1,
      retryPolicy: { max_attempts: 1 },
    });
    // Breaker off for this endpoint: the point is many dead letters, not a held backlog.
    await updateEndpoint(target, dead.endpointIds[0]!, { health_policy: breakerOff });
    const liveBase = await createBenchMailbox(target, receiver, { tag: 'replay-live-base', fanout: 1 });
    const liveDuring = await createBenchMailbox(target, receiver, { tag: 'replay-live-during', fanout: 1 });
    const send = (mailbox: BenchMailbox, rate: number, durationS: number) =>
      sendSteadily(mailbox, { rate, durationS, payloadBytes: options.payloadBytes, connections: CONNECTIONS });

    const n = options.replayDeliveries;
    ctx.log(`replay: making ${n} failed deliveries`);
    await receiver.setStatus(500);
    const rate = Math.min(2_000, n);
    const failing = await send(dead, rate, Math.max(1, Math.ceil(n / rate)));
    result.checks.push(checkNoErrors('replay: events that will fail', failing));
    const made = failing.ok;
    await waitFor(`${made} deliveries failed`, async () => (await countByStatus(db.pool, dead.id, 'failed')) >= made, {
      timeoutMs: 600_000,
      intervalMs: 500,
      progress: async () => `${await countByStatus(db.pool, dead.id, 'failed')} failed`,
    });
    await receiver.setStatus(200);

    const liveS = options.mode === 'short' ? 2 : 20;
    ctx.log(`replay: baseline, ${LIVE_RATE} live events/s for ${liveS} s`);
    const base = await send(liveBase, LIVE_RATE, liveS);
    await waitForDeliveries(db.pool, receiver, liveBase.tag, [liveBase.id], 1, 60_000);

    ctx.log(`replay: replaying ${made} deliveries with ${LIVE_RATE} live events/s beside it`);
    const replay = await api<{ id: string }>(fleet.apiUrl, token, 'POST', '/api/replays', {
      endpoint_id: dead.endpointIds[0],
    });
    const during = await send(liveDuring, LIVE_RATE, liveS);
    await waitForDeliveries(db.pool, receiver, liveDuring.tag, [liveDuring.id], 1, 120_000);
    const done = await waitFor(
      'the replay to finish',
      async () => {
        const state = await api<{ status: string }>(fleet.apiUrl, token, 'GET', `/api/replays/${replay.id}`);
        return state.status === 'finished';
      },
      { timeoutMs: 1_800_000, intervalMs: 500 },
    ).then(() =>
      api<{ created_at: string; finished_at: string; requeued: number }>(
        fleet.apiUrl,
        token,
        'GET',
        `/api/replays/${replay.id}`,
      ),
    );
    await waitFor(
      `${made} replayed deliveries delivered`,
      async () => (await countByStatus(db.pool, dead.id, 'delivered')) >= made,
      {
        timeoutMs: 1_800_000,
        intervalMs: 500,
        progress: async () => `${await countByStatus(db.pool, dead.id, 'delivered')} delivered`,
      },
    );
    const deliveredAt = (await receiver.deliveries(dead.tag)).map((r) => r.at);
    const replayS = (Math.max(...deliveredAt) - Date.parse(done.created_at)) / 1000;
    const baseE2e = await ingestToDelivered(db.pool, receiver, liveBase);
    const duringE2e = await ingestToDelivered(db.pool, receiver, liveDuring);
    const rows: Row[] = [
      {
        scenario: 'replay',
        case: `replay of ${made} failed deliveries`,
        key: 'replay:throughput',
        rate: made / replayS,
        unit: 'deliveries/s',
        count: done.requeued,
        durationS: replayS,
        note: `start → last replayed delivery at the receiver; requeued ${done.requeued}`,
      },
      {
        scenario: 'replay',
        case: `live ingest → delivered, ${LIVE_RATE}/s, no replay`,
        key: 'replay:live-base',
        count: baseE2e.count,
        p50: baseE2e.p50,
        p99: baseE2e.p99,
        max: baseE2e.max,
        note: 'baseline, same run',
      },
      {
        scenario: 'replay',
        case: `live ingest → delivered, ${LIVE_RATE}/s, during the replay`,
        key: 'replay:live-during',
        count: duringE2e.count,
        p50: duringE2e.p50,
        p99: duringE2e.p99,
        max: duringE2e.max,
        note: `p99 ${(duringE2e.p99 / Math.max(1, baseE2e.p99)).toFixed(2)}× the baseline`,
      },
    ];
    result.rows.push(...rows);
    result.checks.push(checkNoErrors('replay: live load', base), checkNoErrors('replay: live load during', during));
    const stats = await receiver.stats(dead.tag);
    result.checks.push({
      name: 'every replayed delivery arrived once more, none twice',
      ok:
        stats.delivered === made &&
        new Set(await receiver.deliveries(dead.tag).then((d) => d.map((r) => r.id))).size === made,
      detail: `${stats.delivered} arrived for ${made} failed deliveries`,
    });
    result.checks.push({
      name: 'no dead letter left',
      ok: (await countByStatus(db.pool, dead.id, 'failed')) === 0,
      detail: `${await countByStatus(db.pool, dead.id, 'failed')} still failed`,
    });
    result.memory.push(...memoryOf('replay', fleet.processes));
  } finally {
    await receiver.setStatus(200).catch(() => undefined);
    await fleet.stop();
  }
  return result;
}
