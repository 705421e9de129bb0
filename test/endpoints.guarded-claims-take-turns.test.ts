/**
 * A guarded endpoint's claims (rate or concurrency limited, circuit not closed) wait for
 * its health row's lock in the database. Many of its jobs at once (a tarpit's backlog made
 * due together) each waited there holding one of the worker's claim connections, until
 * healthy endpoints' claims found none free. Its claims now take turns in the process
 * (health/healthKeeper.ts) before they take a connection: here the row stays locked, as a
 * slow transaction of another worker would keep it, while eight of its claims are waiting,
 * and a plain endpoint's claim on the same two-connection pool still goes through. And when
 * the database drops the claim pool's connections meanwhile (a restart, a failover), the
 * claim in the database is rejected, the turns go on for the others, and the endpoint's
 * next claim takes what was left: no wedged limiter. A half-open endpoint's jobs other
 * than its probe's only hold: they never wait for the row at all.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type pg from 'pg';
import { createAlertSender } from '../server/alerts/systemMailbox.ts';
import { createPool } from '../server/db/pool.ts';
import { claimDeliveries } from '../server/deliveries/claim.ts';
import { createHealthKeeper, type HealthKeeper } from '../server/health/healthKeeper.ts';
import { newId } from '../server/ids.ts';
import { createLogger } from '../server/logger.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { storeEvents } from './support/storedEvents.ts';

const WORKER = 'pool-turns';
const GUARDED_JOBS = 8;

let db: TestDatabase;
let claimPool: pg.Pool;
let health: HealthKeeper;
const mailboxId = newId();
const limited = newId();
const plain = newId();
const probing = newId();
const changes = { publish: () => undefined };
const logger = createLogger({ level: 'silent', pretty: false });

/** Queued deliveries to the endpoint, one event each. */
const storeFor = async (endpointId: string, count = 1) =>
  (await storeEvents(db.pool, mailboxId, endpointId, { count })).map((stored) => stored.deliveryId);

/** The test pool's connections waiting for a lock in the database. */
const waitingOnLocks = async () =>
  (
    await db.pool.query<{ n: number }>(
      `select count(*)::int as n from pg_stat_activity
        where application_name = 'hookpost-claims-test' and wait_event_type = 'Lock'`,
    )
  ).rows[0]!.n;

/** Another worker's transaction holding the endpoint's health row, until released. */
const holdHealthRow = async (endpointId: string) => {
  const holder = await db.pool.connect();
  await holder.query('begin');
  await holder.query(`select 1 from endpoint_health where endpoint_id = $1 for update`, [endpointId]);
  return holder;
};

beforeAll(async () => {
  db = await createTestDatabase();
  await db.pool.query(`insert into mailbox (id, name) values ($1, 'Orders')`, [mailboxId]);
  for (const [id, rate] of [
    [limited, 1000],
    [plain, null],
    [probing, null],
  ] as const) {
    await db.pool.query(
      `insert into endpoint (id, mailbox_id, url, retry_policy, rate_limit_per_second)
       values ($1, $2, 'http://127.0.0.1:9/hook', '{}', $3)`,
      [id, mailboxId, rate],
    );
  }
  await db.pool.query(`insert into endpoint_health (endpoint_id) values ($1)`, [limited]);
  await db.pool.query(`insert into worker_heartbeat (worker_id, hostname, pid, lock_key) values ($1, 'test', 1, 1)`, [
    WORKER,
  ]);
  claimPool = createPool({
    connectionString: db.url,
    max: 2,
    applicationName: 'hookpost-claims-test',
    logger,
    synchronousCommit: false,
    genericPlans: true,
  });
  health = createHealthKeeper({
    pool: db.pool,
    claimPool,
    changes,
    routes: { changed: () => undefined },
    alerts: createAlertSender(db.pool),
    logger,
    gate: { refresh: async () => undefined },
  });
});

afterAll(async () => {
  await claimPool?.end();
  await db?.drop();
});

describe("a guarded endpoint's claims", () => {
  test('take turns in the process: while its health row is locked they hold one connection, not all', async () => {
    const guardedIds = await storeFor(limited, GUARDED_JOBS);
    const [plainId] = await storeFor(plain);

    // Another worker's transaction holds the endpoint's health row.
    const holder = await holdHealthRow(limited);
    let guardedClaims: Promise<unknown>[];
    try {
      guardedClaims = guardedIds.map((id) => health.claim(WORKER, limited, [id], 'scheduled', null));
      // The first of them reaches the lock and waits there in the database.
      await expect.poll(waitingOnLocks, { timeout: 10_000 }).toBe(1);
      // A plain endpoint's claim finds a connection while the guarded ones wait.
      const claim = await claimDeliveries({ db: claimPool, changes }, WORKER, [plainId!]);
      expect(claim.claimed.map((delivery) => delivery.id)).toEqual([plainId]);
      // Still only one of the guarded claims is in the database.
      expect(await waitingOnLocks()).toBe(1);
    } finally {
      await holder.query('commit');
      holder.release();
    }
    // Once the row is free they all go, one after another.
    const claims = (await Promise.all(guardedClaims)) as { claimed: { id: string }[] }[];
    expect(claims.flatMap((claim) => claim.claimed.map((delivery) => delivery.id)).sort()).toEqual(
      [...guardedIds].sort(),
    );
  });

  test('a connection killed mid-claim rejects that claim only; the turns go on and the endpoint claims again', async () => {
    const guardedIds = await storeFor(limited, GUARDED_JOBS);
    const holder = await holdHealthRow(limited);
    let settled: PromiseSettledResult<unknown>[];
    try {
      const claims = guardedIds.map((id) => health.claim(WORKER, limited, [id], 'scheduled', null));
      // Observed at once: one of them is rejected while the test is still waiting below.
      const allSettled = Promise.allSettled(claims);
      await expect.poll(waitingOnLocks, { timeout: 10_000 }).toBe(1);
      // The database drops the claim pool's connections (a restart, a failover).
      await db.pool.query(
        `select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'hookpost-claims-test'`,
      );
      await holder.query('commit');
      settled = await Promise.race([
        allSettled,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the turns are wedged')), 20_000)),
      ]);
    } finally {
      await holder.query('rollback').catch(() => undefined);
      holder.release();
    }
    const rejected = settled.filter((r) => r.status === 'rejected').length;
    expect(rejected).toBeGreaterThanOrEqual(1);
    // Whatever was not claimed is claimed by the next claim of the endpoint.
    const claimedBefore = settled.flatMap((r) =>
      r.status === 'fulfilled' ? (r.value as { claimed: { id: string }[] }).claimed.map((d) => d.id) : [],
    );
    const left = guardedIds.filter((id) => !claimedBefore.includes(id));
    const again = await health.claim(WORKER, limited, left, 'scheduled', null);
    expect(again.claimed.map((d) => d.id).sort()).toEqual([...left].sort());
  }, 60_000);
});

describe("a half-open endpoint's jobs other than its probe's", () => {
  test('hold their deliveries without waiting for its health row', async () => {
    const [probe, ...others] = await storeFor(probing, 3);
    // Holding since it opened (held_from, the oldest held delivery: the probe, released by the tick).
    await db.pool.query(
      `insert into endpoint_health (endpoint_id, circuit_state, probe_delivery_id, held_from)
       values ($1, 'half_open', $2, $2)`,
      [probing, probe],
    );
    const holder = await holdHealthRow(probing);
    try {
      // A dead endpoint is half-open for as long as its probe takes: its jobs meanwhile
      // used to wait here, one after another, for the row the probe's outcome will change.
      const claim = await Promise.race([
        health.claim(WORKER, probing, others, 'scheduled', null),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('waited for the health row')), 10_000)),
      ]);
      expect(claim.claimed).toEqual([]);
    } finally {
      await holder.query('commit');
      holder.release();
    }
    const { rows } = await db.pool.query<{ status: string }>(`select status from delivery where id = any($1::uuid[])`, [
      others,
    ]);
    expect(rows.map((row) => row.status)).toEqual(['held', 'held']);
  });
});
