/**
 * Claims are planned once per connection, not at every job. PostgreSQL judged the claim's
 * generic plan (any id array: 100 rows assumed) dearer than a custom one (an array of one
 * or two ids) and planned it anew each time: 2.4 ms of planning against 0.25 ms of
 * running it, most of PostgreSQL's work under a steady load (docs/performance-history.md,
 * run Z). The worker's claim pool runs its statements with their generic plans
 * (db/pool.ts `genericPlans`); this checks that the claim then never plans again, and that
 * its generic plan finds deliveries by their index, as a custom plan would.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type pg from 'pg';
import { createPool } from '../server/db/pool.ts';
import { claimDeliveries } from '../server/deliveries/claim.ts';
import { newId } from '../server/ids.ts';
import { insertEvents } from '../server/ingest/sql/insertEvents.ts';
import { createLogger } from '../server/logger.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';

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
  for (let batch = 0; batch < STORED / 500; batch++) {
    const events = Array.from({ length: 500 }, () => {
      const deliveryId = newId();
      deliveryIds.push(deliveryId);
      return {
        id: newId(),
        mailboxId,
        eventType: 'order.created',
        contentType: 'application/json',
        body: Buffer.from('{}'),
        deliveries: [{ id: deliveryId, endpointId }],
        trigger: 'scheduled' as const,
      };
    });
    await insertEvents(db.pool, events);
  }
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

const claimPlans = async (pool: pg.Pool) =>
  (
    await pool.query<{ generic_plans: string; custom_plans: string }>(
      `select generic_plans, custom_plans from pg_prepared_statements where name = 'claim_deliveries'`,
    )
  ).rows[0]!;

describe('the claim pool', () => {
  test('claims run on their generic plan, planned once, which reads deliveries by index', async () => {
    const pool = onePool(true);
    try {
      const claimed: string[] = [];
      for (const id of deliveryIds.slice(0, CLAIMS)) {
        const claim = await claimDeliveries({ db: pool, changes }, WORKER, [id]);
        claimed.push(...claim.claimed.map((delivery) => delivery.id));
      }
      expect(claimed).toEqual(deliveryIds.slice(0, CLAIMS));
      const plans = await claimPlans(pool);
      expect(Number(plans.custom_plans)).toBe(0);
      expect(Number(plans.generic_plans)).toBe(CLAIMS);
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
      const plans = await claimPlans(pool);
      expect(Number(plans.custom_plans)).toBe(CLAIMS);
    } finally {
      await pool.end();
    }
  });
});
