/**
 * Claims and attempt records are planned once per connection, not at every job. PostgreSQL judged the claim's
 * generic plan (any id array: 100 rows assumed) dearer than a custom one (an array of one
 * or two ids) and planned it anew each time: 2.4 ms of planning against 0.25 ms of
 * running it, most of PostgreSQL's work under a steady load (docs/performance-history.md,
 * run Z); attempt records, a few at a time at a steady rate, likewise. The worker's claim
 * and attempt pools run their statements with their generic plans (db/pool.ts
 * `genericPlans`); this checks that they then never plan again, and that the generic plans
 * find deliveries by their index, as custom plans would.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type pg from 'pg';
import { createPool } from '../server/db/pool.ts';
import { claimDeliveries } from '../server/deliveries/claim.ts';
import { recordAttempts } from '../server/deliveries/recordAttempts.ts';
import { newId } from '../server/ids.ts';
import { createLogger } from '../server/logger.ts';
import { deliveredAttempt } from './support/attemptRecords.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { storeEvents } from './support/storedEvents.ts';

const WORKER = 'pool-plans';
const STORED = 4_000;
const CLAIMS = 12;

let db: TestDatabase;
const mailboxId = newId();
const endpointId = newId();
const deliveryIds: string[] = [];
const changes = { publish: () => undefined };

beforeAll(async () => {
  db = await createTestDatabase();
  await db.pool.query(`insert into mailbox (id, name) values ($1, 'Orders')`, [mailboxId]);
  await db.pool.query(
    `insert into endpoint (id, mailbox_id, url, retry_policy) values ($1, $2, 'http://127.0.0.1:9/hook', '{}')`,
    [endpointId, mailboxId],
  );
  await db.pool.query(`insert into worker_heartbeat (worker_id, hostname, pid, lock_key) values ($1, 'test', 1, 1)`, [
    WORKER,
  ]);
  // Enough deliveries that reading them all would be the wrong plan, with statistics.
  deliveryIds.push(
    ...(await storeEvents(db.pool, mailboxId, endpointId, { count: STORED })).map((stored) => stored.deliveryId),
  );
  await db.pool.query('analyze');
});

afterAll(async () => {
  await db?.drop();
});

/** One connection, so that its prepared statement's counters are the ones read. */
const onePool = (genericPlans: boolean): pg.Pool =>
  createPool({
    connectionString: db.url,
    max: 1,
    applicationName: 'hookpost-claims-test',
    logger: createLogger({ level: 'silent', pretty: false }),
    synchronousCommit: false,
    genericPlans,
  });

const plansOf = async (pool: pg.Pool, statement: string) =>
  (
    await pool.query<{ generic_plans: string; custom_plans: string }>(
      `select generic_plans, custom_plans from pg_prepared_statements where name = $1`,
      [statement],
    )
  ).rows[0]!;

/** Whole reads of the delivery table so far (this connection's own, flushed first). */
const deliveryScans = async (pool: pg.Pool) => {
  await pool.query('select pg_stat_force_next_flush()');
  await pool.query('select pg_stat_clear_snapshot()');
  const { rows } = await pool.query<{ seq_scan: string }>(
    `select seq_scan from pg_stat_user_tables where relname = 'delivery'`,
  );
  return Number(rows[0]!.seq_scan);
};

describe('the claim pool', () => {
  test('claims and records run on their generic plans, planned once, which read deliveries by index', async () => {
    const pool = onePool(true);
    try {
      const scansBefore = await deliveryScans(pool);
      const claimed: string[] = [];
      for (const id of deliveryIds.slice(0, CLAIMS)) {
        const claim = await claimDeliveries({ db: pool, changes }, WORKER, [id]);
        claimed.push(...claim.claimed.map((delivery) => delivery.id));
        const [recorded] = await recordAttempts(
          { db: pool, changes },
          claim.claimed.map((delivery) => deliveredAttempt(delivery, WORKER)),
        );
        expect(recorded?.status).toBe('delivered');
      }
      expect(claimed).toEqual(deliveryIds.slice(0, CLAIMS));
      expect(await deliveryScans(pool)).toBe(scansBefore);
      for (const statement of ['claim_deliveries', 'record_attempts']) {
        const plans = await plansOf(pool, statement);
        expect(Number(plans.custom_plans), statement).toBe(0);
        expect(Number(plans.generic_plans), statement).toBe(CLAIMS);
      }
      // EXPLAIN EXECUTE shows the plan the prepared statement runs (an UPDATE: not run here).
      // (EXPLAIN takes no bind parameters; the id is a UUID this test made.)
      const { rows } = await pool.query<{ 'QUERY PLAN': string }>(
        `explain execute claim_deliveries('{${deliveryIds[CLAIMS]}}'::uuid[], '${WORKER}', false, false)`,
      );
      const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
      expect(plan).toContain('delivery_pkey');
      expect(plan).not.toMatch(/Seq Scan on delivery\b/);
    } finally {
      await pool.end();
    }
  });

  test('a pool without them plans the claim per execution (why the claim pool has them)', async () => {
    const pool = onePool(false);
    try {
      for (const id of deliveryIds.slice(CLAIMS + 1, CLAIMS + 1 + CLAIMS)) {
        await claimDeliveries({ db: pool, changes }, WORKER, [id]);
      }
      const plans = await plansOf(pool, 'claim_deliveries');
      expect(Number(plans.custom_plans)).toBe(CLAIMS);
    } finally {
      await pool.end();
    }
  });
});
