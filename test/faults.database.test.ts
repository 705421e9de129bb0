/**
 * Invariants 1, 3, 7 and 9 under faults, with real processes: an api and two workers on a
 * PostgreSQL that the test restarts (fast, and immediately: a crash), takes down for
 * longer than the workers' stale period, and freezes, mid-ingest and mid-delivery. Nobody
 * restarts Hookpost. Afterwards:
 * - producers only ever got 202 or 503 (never a hang, never a 500), and every 202's event
 *   is stored and delivered;
 * - nothing is left queued or delivering;
 * - every request the receiver got is on record as an attempt;
 * - no delivery in flight during an outage longer than the stale period was sent twice.
 * The recovery times and duplicates are printed (figures, not assertions).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import pg from 'pg';
import { TEST_ADMIN_TOKEN } from './support/hookpost.ts';
import { startFaultyPostgres, type FaultyPostgres } from './support/faultyPostgres.ts';
import { spawnHookpost, type HookpostProcess } from './support/process.ts';
import { startReceiver, type Receiver } from './support/receiver.ts';

let postgres: FaultyPostgres;
let db: pg.Pool;
let receiver: Receiver;
const processes: HookpostProcess[] = [];
let apiUrl: string;

const timings = {
  HOOKPOST_HEARTBEAT_INTERVAL_MS: '1000',
  HOOKPOST_WORKER_STALE_AFTER_MS: '5000',
  HOOKPOST_RECONCILE_INTERVAL_MS: '2000',
  HOOKPOST_RECONCILE_AFTER_MS: '5000',
  HOOKPOST_INGEST_TIMEOUT_MS: '3000',
  HOOKPOST_WORKER_CONCURRENCY: '16',
};

async function start(role: 'api' | 'worker'): Promise<HookpostProcess> {
  const proc = await spawnHookpost({ databaseUrl: postgres.url, role, env: timings });
  processes.push(proc);
  await proc.waitForLog(role === 'api' ? /is listening on/ : /Delivery worker .* started/, 60_000);
  return proc;
}

beforeAll(async () => {
  postgres = await startFaultyPostgres();
  receiver = await startReceiver({ status: 200, delayMs: 20 });
  const api = await start('api');
  apiUrl = (api.logs.find((line) => /is listening on/.test(line.msg)) as { url?: string }).url!;
  await start('worker');
  await start('worker');
  db = new pg.Pool({ connectionString: postgres.url, max: 2 });
  db.on('error', () => undefined);
}, 120_000);

afterAll(async () => {
  for (const proc of processes) {
    proc.kill('SIGTERM');
    await proc.exited;
  }
  // What each process said, for reading after a failure.
  const folder = path.resolve(import.meta.dirname, 'artifacts', 'faults');
  await mkdir(folder, { recursive: true });
  for (const [i, proc] of processes.entries()) {
    await writeFile(path.join(folder, `process-${i}.log`), proc.logs.map((line) => JSON.stringify(line)).join('\n'));
    await writeFile(path.join(folder, `process-${i}.stderr`), `exit ${proc.child.exitCode}\n${proc.stderr()}`);
  }
  await db?.end();
  await receiver?.close();
  await postgres?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function createMailbox(name: string, targetPath: string): Promise<{ id: string; api_key: string }> {
  const response = await fetch(`${apiUrl}/api/mailboxes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    body: JSON.stringify({ name, target_url: `${receiver.url}${targetPath}` }),
  });
  expect(response.status).toBe(201);
  return response.json();
}

/** Producers sending events as fast as they get answers, until stopped. */
function produce(mailbox: { id: string; api_key: string }, concurrency: number) {
  const accepted: string[] = [];
  const statuses = new Map<string, number>();
  let running = true;
  const loops = Array.from({ length: concurrency }, async (_, loop) => {
    for (let i = 0; running; i++) {
      let status: string;
      try {
        const response = await fetch(`${apiUrl}/webhooks/${mailbox.id}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': mailbox.api_key },
          body: JSON.stringify({ event: 'fault.test', loop, i }),
          signal: AbortSignal.timeout(15_000),
        });
        status = String(response.status);
        const body = (await response.json()) as { tracking_number?: string };
        if (response.status === 202) accepted.push(body.tracking_number!);
        else if (response.status === 503) await sleep(200);
      } catch (error) {
        status = `error: ${(error as Error).message}`;
        await sleep(200);
      }
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  });
  return {
    accepted,
    statuses,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** Time from now until the receiver gets a request again, in ms (PostgreSQL just came back). */
async function timeToFlow(): Promise<number> {
  const from = Date.now();
  await vi.waitFor(() => expect(receiver.requests.some((r) => r.at >= from)).toBe(true), {
    timeout: 60_000,
    interval: 50,
  });
  return receiver.requests.find((r) => r.at >= from)!.at - from;
}

async function everyAcceptedDelivered(trackingNumbers: string[]) {
  await vi.waitFor(
    async () => {
      const { rows } = await db.query<{ n: number }>(
        `select count(*)::int as n from event where id = any($1::uuid[]) and status <> 'delivered'`,
        [trackingNumbers],
      );
      expect(rows[0]!.n).toBe(0);
    },
    { timeout: 120_000, interval: 500 },
  );
}

/** Receiver hits per delivery id, and attempts on record per delivery id. */
async function hitsAndAttempts(deliveryIds: string[]) {
  const hits = new Map<string, number>();
  for (const request of receiver.requests) {
    const id = String(request.headers['webhook-id']);
    hits.set(id, (hits.get(id) ?? 0) + 1);
  }
  const { rows } = await db.query<{ id: string; attempts: number }>(
    `select d.id, count(a.id)::int as attempts from delivery d left join attempt a on a.delivery_id = d.id
      where d.id = any($1::uuid[]) group by d.id`,
    [deliveryIds],
  );
  return rows.map((row) => ({ id: row.id, hits: hits.get(row.id) ?? 0, attempts: row.attempts }));
}

describe('PostgreSQL restarted and frozen under load', () => {
  test('nothing acknowledged is lost, nothing is stuck, nothing sent is unrecorded, and producers get 202 or 503', async () => {
    const mailbox = await createMailbox('Faults', '/load');
    const load = produce(mailbox, 4);
    await sleep(3_000);

    await postgres.restart('fast');
    const afterFast = await timeToFlow();
    await sleep(3_000);

    await postgres.restart('immediate');
    const afterCrash = await timeToFlow();
    await sleep(3_000);

    // Frozen for longer than the ingest deadline: producers get 503 within it, not a hang.
    await postgres.freeze(6_000);
    const afterFreeze = await timeToFlow();
    await sleep(2_000);
    await load.stop();

    const statuses = Object.fromEntries(load.statuses);
    console.log(
      `Producers' answers: ${JSON.stringify(statuses)}. Deliveries flowing again after PostgreSQL came back: ` +
        `fast restart ${afterFast} ms, crash ${afterCrash} ms, freeze ${afterFreeze} ms.`,
    );
    expect(Object.keys(statuses).sort()).toEqual(expect.arrayContaining(['202']));
    for (const status of Object.keys(statuses)) expect(['202', '503']).toContain(status);

    const { rows: stored } = await db.query<{ n: number }>(
      `select count(*)::int as n from event where id = any($1::uuid[])`,
      [load.accepted],
    );
    expect(stored[0]!.n).toBe(load.accepted.length);
    await everyAcceptedDelivered(load.accepted);

    // Every delivery, also of events answered 503 that committed anyway once PostgreSQL
    // came back (not in `accepted`, so perhaps still on their way): none stays pending.
    await vi.waitFor(
      async () => {
        const { rows: pending } = await db.query<{ n: number }>(
          `select count(*)::int as n from delivery where status in ('queued', 'delivering')`,
        );
        expect(pending[0]!.n).toBe(0);
      },
      { timeout: 60_000, interval: 500 },
    );

    const { rows: deliveries } = await db.query<{ id: string }>(
      `select d.id from delivery d where d.event_id = any($1::uuid[])`,
      [load.accepted],
    );
    const counted = await hitsAndAttempts(deliveries.map((d) => d.id));
    for (const delivery of counted) {
      expect(delivery.hits, `delivery ${delivery.id} reached the receiver`).toBeGreaterThanOrEqual(1);
      expect(delivery.attempts, `every request of delivery ${delivery.id} is on record`).toBeGreaterThanOrEqual(
        delivery.hits,
      );
    }
    const duplicates = counted.filter((d) => d.hits > 1).length;
    console.log(
      `${counted.length} deliveries, ${duplicates} sent more than once: ${((duplicates / counted.length) * 1000).toFixed(1)} per 1,000.`,
    );

    // Nobody restarted anything: every process is still the one started, and ready.
    for (const proc of processes) expect(proc.child.exitCode).toBeNull();
    for (const proc of processes) {
      const opsUrl = (proc.logs.find((line) => 'opsUrl' in line) as { opsUrl?: string }).opsUrl!;
      await vi.waitFor(async () => expect((await fetch(`${opsUrl}/readyz`)).status).toBe(200), {
        timeout: 30_000,
        interval: 200,
      });
    }
  }, 400_000);

  test('an outage longer than the stale period sends no delivery in flight a second time', async () => {
    const mailbox = await createMailbox('Slow receiver', '/slow');
    receiver.reply((request) => (request.path === '/slow' ? { status: 200, delayMs: 9_000 } : { status: 200 }));
    const before = receiver.requests.filter((r) => r.path === '/slow').length;
    const trackingNumbers: string[] = [];
    for (let i = 0; i < 6; i++) {
      const response = await fetch(`${apiUrl}/webhooks/${mailbox.id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': mailbox.api_key },
        body: JSON.stringify({ event: 'slow.thing', i }),
      });
      expect(response.status).toBe(202);
      trackingNumbers.push(((await response.json()) as { tracking_number: string }).tracking_number);
    }
    await vi.waitFor(() => expect(receiver.requests.filter((r) => r.path === '/slow').length).toBe(before + 6), {
      timeout: 20_000,
      interval: 50,
    });

    // Down for longer than the stale period (5 s), while the six requests are out; then
    // frozen for longer than it too.
    await postgres.restart('fast', 7_000);
    await sleep(3_000);
    await postgres.freeze(7_000);

    await everyAcceptedDelivered(trackingNumbers);
    const { rows: deliveries } = await db.query<{ id: string }>(
      `select d.id from delivery d where d.event_id = any($1::uuid[])`,
      [trackingNumbers],
    );
    const counted = await hitsAndAttempts(deliveries.map((d) => d.id));
    expect(counted.map((d) => d.hits)).toEqual([1, 1, 1, 1, 1, 1]);
    expect(counted.map((d) => d.attempts)).toEqual([1, 1, 1, 1, 1, 1]);
    receiver.reply({ status: 200, delayMs: 20 });
  }, 240_000);
});
