/**
 * Group commit: events accepted at the same moment share one transaction (one commit,
 * one queue notification), each producer still hears back only once its own event is
 * committed, and one failing event does not fail the others in its transaction.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createPool } from '../server/db/pool.ts';
import { newId } from '../server/ids.ts';
import { createEventWriter } from '../server/ingest/eventWriter.ts';
import type { NewEvent } from '../server/ingest/sql/insertEvents.ts';
import { createLogger } from '../server/logger.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';

let db: TestDatabase;
let mailboxId: string;
let endpointId: string;
const logger = createLogger({ level: 'silent', pretty: false });

beforeAll(async () => {
  db = await createTestDatabase();
  mailboxId = newId();
  endpointId = newId();
  await db.pool.query(`insert into mailbox (id, name) values ($1, 'group commit')`, [mailboxId]);
  await db.pool.query(
    `insert into endpoint (id, mailbox_id, url, retry_policy) values ($1, $2, 'https://example.com', '{}')`,
    [endpointId, mailboxId],
  );
});

afterAll(async () => {
  await db?.drop();
});

const event = (id = newId()): NewEvent => ({
  id,
  mailboxId,
  eventType: 'order.created',
  contentType: 'application/json',
  body: Buffer.from('{"event":"order.created"}'),
  deliveries: [{ id: newId(), endpointId }],
  trigger: 'scheduled',
});

async function commits(): Promise<number> {
  const { rows } = await db.pool.query(
    `select xact_commit::int as n from pg_stat_database where datname = current_database()`,
  );
  return rows[0].n;
}

describe('group commit of accepted events', () => {
  test('200 events written at once share a handful of transactions, and every one is stored with its job', async () => {
    const pool = createPool({ connectionString: db.url, max: 4, applicationName: 'group-commit-test', logger });
    const writer = createEventWriter(pool);
    const events = Array.from({ length: 200 }, () => event());
    const before = await commits();
    await Promise.all(events.map((e) => writer.submit(e)));
    // pg_stat counters are flushed by backends with a delay; wait for the numbers to settle.
    await pool.end();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const used = (await commits()) - before;
    expect(used).toBeLessThan(20);
    const { rows } = await db.pool.query('select count(*)::int as n from event where id = any($1)', [
      events.map((e) => e.id),
    ]);
    expect(rows[0].n).toBe(200);
    const jobs = await db.pool.query(`select payload from graphile_worker._private_jobs`);
    const queued = jobs.rows.flatMap((row) => row.payload.deliveries.map((d: { id: string }) => d.id));
    expect(new Set(queued)).toEqual(new Set(events.map((e) => e.deliveries[0]!.id)));
  });

  test('an event that fails does not take its batch down with it', async () => {
    const pool = createPool({ connectionString: db.url, max: 4, applicationName: 'group-commit-test', logger });
    const writer = createEventWriter(pool, { maxConcurrent: 1 });
    const duplicate = newId();
    const results = await Promise.allSettled([
      writer.submit(event()),
      writer.submit(event(duplicate)),
      writer.submit(event(duplicate)),
      writer.submit(event()),
    ]);
    await pool.end();
    expect([results[0]!.status, results[3]!.status]).toEqual(['fulfilled', 'fulfilled']);
    const twins = [results[1]!, results[2]!];
    expect(twins.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((twins.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason.message).toMatch(
      /duplicate key/,
    );
  });
});
