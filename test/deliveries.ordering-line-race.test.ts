/**
 * Two workers claiming two deliveries of one ordering key at the same moment: exactly one
 * wins (deliveries/orderingLine.ts). The race is made to happen, not hoped for: worker B's
 * claim of the later delivery is held open in its transaction while the earlier delivery
 * commits (its request reached an API process first but committed last) and worker A
 * claims it. A's statement cannot see B's uncommitted claim, so only the database's unique
 * index stops it: A waits for B's commit, loses, tries again, and leaves its delivery
 * queued behind B's in flight.
 */
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { startChangeBus, type ChangeBus } from '../server/db/changeBus.ts';
import { claimDeliveries } from '../server/deliveries/claim.ts';
import { newId } from '../server/ids.ts';
import { insertEvents } from '../server/ingest/sql/insertEvents.ts';
import { createLogger } from '../server/logger.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';

let db: TestDatabase;
let changes: ChangeBus;
const mailboxId = newId();
const endpointId = newId();

beforeAll(async () => {
  db = await createTestDatabase();
  changes = await startChangeBus({ pool: db.pool, logger: createLogger({ level: 'silent', pretty: false }) });
  await db.pool.query(`insert into mailbox (id, name) values ($1, 'Ordered')`, [mailboxId]);
  await db.pool.query(
    `insert into endpoint (id, mailbox_id, url, retry_policy, ordered_by_key)
     values ($1, $2, 'http://127.0.0.1:9/hook', '{}', true)`,
    [endpointId, mailboxId],
  );
});

afterAll(async () => {
  await changes?.close();
  await db?.drop();
});

const store = (deliveryId: string, key = 'k') =>
  insertEvents(db.pool, [
    {
      id: newId(),
      mailboxId,
      eventType: 'order.updated',
      contentType: 'application/json',
      body: Buffer.from('{}'),
      deliveries: [{ id: deliveryId, endpointId, orderingKey: key }],
      trigger: 'scheduled',
      orderingKey: key,
    },
  ]);

const statuses = async (ids: string[]) =>
  (
    await db.pool.query<{ status: string }>(`select status from delivery where id = any($1::uuid[]) order by id`, [ids])
  ).rows.map((row) => row.status);

describe('two claims of one ordering key at the same moment', () => {
  test('one wins; the other leaves its delivery queued behind the one in flight', async () => {
    const earlier = newId();
    const later = newId();
    await store(later);

    const workerB = await db.pool.connect();
    try {
      await workerB.query('begin');
      const claimedByB = await claimDeliveries({ db: workerB, changes }, 'pool-b', [later], { inTransaction: true });
      expect(claimedByB.claimed.map((d) => d.id)).toEqual([later]);

      await store(earlier);
      const claimByA = claimDeliveries({ db: db.pool, changes }, 'pool-a', [earlier]);
      // A's claim is waiting on B's transaction (the unique index), not finished without it.
      await vi.waitFor(
        async () => {
          const { rows } = await db.pool.query(
            `select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
          );
          expect(rows.length).toBeGreaterThan(0);
        },
        { timeout: 10_000, interval: 20 },
      );
      await workerB.query('commit');

      const claimedByA = await claimByA;
      expect(claimedByA.claimed).toEqual([]);
    } finally {
      workerB.release();
    }
    expect(await statuses([earlier, later])).toEqual(['queued', 'delivering']);
  });

  test('the database itself refuses a second delivery of a key in flight', async () => {
    const first = newId();
    const second = newId();
    await store(first, 'other');
    await store(second, 'other');
    await expect(
      db.pool.query(`update delivery set status = 'delivering' where id = any($1::uuid[])`, [[first, second]]),
    ).rejects.toMatchObject({ code: '23505', constraint: 'delivery_ordering_in_flight_key' });
  });
});
