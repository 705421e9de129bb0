/**
 * A guarded endpoint's claims (rate or concurrency limited, circuit not closed) wait for
 * its health row's lock in the database. Many of its jobs at once (a tarpit's backlog made
 * due together) each waited there holding one of the worker's claim connections, until
 * healthy endpoints' claims found none free. Its claims now take turns in the process
 * (health/healthKeeper.ts) before they take a connection: here the row stays locked, as a
 * slow transaction of another worker would keep it, while eight of its claims are waiting,
 * and a plain endpoint's claim on the same two-connection pool still goes through.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type pg from 'pg';
import { createAlertSender } from '../server/alerts/systemMailbox.ts';
import { createPool } from '../server/db/pool.ts';
import { claimDeliveries } from '../server/deliveries/claim.ts';
import { createHealthKeeper, type HealthKeeper } from '../server/health/healthKeeper.ts';
import { newId } from '../server/ids.ts';
import { insertEvents } from '../server/ingest/sql/insertEvents.ts';
import { createLogger } from '../server/logger.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';

const WORKER = 'pool-turns';
const GUARDED_JOBS = 8;

let db: TestDatabase;
let claimPool: pg.Pool;
let health: HealthKeeper;
const mailboxId = newId();
const limited = newId();
const plain = newId();
const changes = { publish: () => undefined };
const logger = createLogger({ level: 'silent', pretty: false });

const storeFor = async (endpointId: string) => {
  const deliveryId = newId();
  await insertEvents(db.pool, [
    {
      id: newId(),
      mailboxId,
      eventType: 'order.created',
      contentType: 'application/json',
      body: Buffer.from('{}'),
      deliveries: [{ id: deliveryId, endpointId }],
      trigger: 'scheduled',
    },
  ]);
  return deliveryId;
};

beforeAll(async () => {
  db = await createTestDatabase();
  await db.pool.query(`insert into mailbox (id, name) values ($1, 'Orders')`, [mailboxId]);
  for (const [id, rate] of [
    [limited, 1000],
    [plain, null],
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
    const guardedIds = await Promise.all(Array.from({ length: GUARDED_JOBS }, () => storeFor(limited)));
    const plainId = await storeFor(plain);

    // Another worker's transaction holds the endpoint's health row.
    const holder = await db.pool.connect();
    await holder.query('begin');
    await holder.query(`select 1 from endpoint_health where endpoint_id = $1 for update`, [limited]);
    let guardedClaims: Promise<unknown>[];
    try {
      guardedClaims = guardedIds.map((id) => health.claim(WORKER, limited, [id], 'scheduled', null));
      // The first of them reaches the lock and waits there in the database.
      await expect
        .poll(
          async () =>
            (
              await db.pool.query<{ n: number }>(
                `select count(*)::int as n from pg_stat_activity
                  where application_name = 'hookpost-claims-test' and wait_event_type = 'Lock'`,
              )
            ).rows[0]!.n,
          { timeout: 10_000 },
        )
        .toBe(1);
      // A plain endpoint's claim finds a connection while the guarded ones wait.
      const claim = await claimDeliveries({ db: claimPool, changes }, WORKER, [plainId]);
      expect(claim.claimed.map((delivery) => delivery.id)).toEqual([plainId]);
      // Still only one of the guarded claims is in the database.
      const { rows } = await db.pool.query<{ n: number }>(
        `select count(*)::int as n from pg_stat_activity
          where application_name = 'hookpost-claims-test' and wait_event_type = 'Lock'`,
      );
      expect(rows[0]!.n).toBe(1);
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
});
