/**
 * Two workers claiming one delivery at the same moment (a duplicate job, a job run again
 * after a takeover): exactly one takes it (deliveries/claim.ts). The race is made to
 * happen: worker B's claim is held open in its transaction while worker A's claim of the
 * same delivery starts; A's statement read the delivery as B's snapshot left it (queued),
 * waits on B's row, and must then find it changed and leave it. Also when B, before it
 * commits, already recorded an attempt and scheduled a retry (queued again, but not due
 * and one attempt on): A must not take it early.
 */
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import pg from 'pg';
import { startChangeBus, type ChangeBus } from '../server/db/changeBus.ts';
import { claimDeliveries } from '../server/deliveries/claim.ts';
import { deferDeliveries } from '../server/deliveries/hold.ts';
import { recordAttempts } from '../server/deliveries/recordAttempts.ts';
import { newId } from '../server/ids.ts';
import { createLogger } from '../server/logger.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { storeEvents } from './support/storedEvents.ts';

let db: TestDatabase;
let changes: ChangeBus;
const mailboxId = newId();
const endpointId = newId();

beforeAll(async () => {
  db = await createTestDatabase();
  changes = await startChangeBus({ pool: db.pool, logger: createLogger({ level: 'silent', pretty: false }) });
  await db.pool.query(`insert into mailbox (id, name) values ($1, 'Orders')`, [mailboxId]);
  await db.pool.query(
    `insert into endpoint (id, mailbox_id, url, retry_policy) values ($1, $2, 'http://127.0.0.1:9/hook', '{}')`,
    [endpointId, mailboxId],
  );
  // Both workers are alive: neither may take the other's deliveries over.
  for (const [n, worker] of ['pool-a', 'pool-b'].entries()) {
    await db.pool.query(
      `insert into worker_heartbeat (worker_id, hostname, pid, lock_key) values ($1, 'test', $2, $3)`,
      [worker, n + 1, n + 1],
    );
  }
});

afterAll(async () => {
  await changes?.close();
  await db?.drop();
});

const store = async () => (await storeEvents(db.pool, mailboxId, endpointId))[0]!;

const deliveryRow = async (id: string) =>
  (
    await db.pool.query<{ status: string; claimed_by: string | null; attempt_count: number }>(
      `select status, claimed_by, attempt_count from delivery where id = $1`,
      [id],
    )
  ).rows[0]!;

const eventCounters = async (id: string) =>
  (
    await db.pool.query<{ pending_count: number; attempt_count: number; status: string }>(
      `select pending_count, attempt_count, status from event where id = $1`,
      [id],
    )
  ).rows[0]!;

/** Worker A's claim (on a connection of its own), started while B holds the row, once it is seen waiting on B. */
async function claimWhileHeld(deliveryId: string) {
  const workerA = new pg.Client({ connectionString: db.url });
  await workerA.connect();
  const claimByA = claimDeliveries({ db: workerA, changes }, 'pool-a', [deliveryId]).finally(() => workerA.end());
  await vi.waitFor(
    async () => {
      const { rows } = await db.pool.query(
        `select 1 from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
      );
      expect(rows.length).toBeGreaterThan(0);
    },
    { timeout: 10_000, interval: 20 },
  );
  // Wrapped: an async function returning the promise itself would wait for it.
  return { claim: claimByA };
}

async function inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>, then: () => Promise<void>) {
  const client = await db.pool.connect();
  try {
    await client.query('begin');
    const result = await work(client);
    await then();
    await client.query('commit');
    return result;
  } finally {
    client.release();
  }
}

describe('two claims of one delivery at the same moment', () => {
  test('one takes it; the other finds it in flight and leaves it', async () => {
    const { eventId, deliveryId } = await store();
    let claimByA: ReturnType<typeof claimDeliveries> | undefined;
    const claimedByB = await inTransaction(
      (workerB) => claimDeliveries({ db: workerB, changes }, 'pool-b', [deliveryId], { inTransaction: true }),
      async () => {
        ({ claim: claimByA } = await claimWhileHeld(deliveryId));
      },
    );
    expect(claimedByB.claimed.map((d) => d.id)).toEqual([deliveryId]);
    expect((await claimByA!).claimed).toEqual([]);
    expect(await deliveryRow(deliveryId)).toEqual({ status: 'delivering', claimed_by: 'pool-b', attempt_count: 0 });
    expect(await eventCounters(eventId)).toMatchObject({ pending_count: 1, attempt_count: 0 });
  });

  test('one takes it, sends, and schedules a retry before it commits; the other does not take the retry early', async () => {
    const { eventId, deliveryId } = await store();
    let claimByA: ReturnType<typeof claimDeliveries> | undefined;
    await inTransaction(
      async (workerB) => {
        const claim = await claimDeliveries({ db: workerB, changes }, 'pool-b', [deliveryId], { inTransaction: true });
        const [delivery] = claim.claimed;
        expect(delivery?.id).toBe(deliveryId);
        await recordAttempts({ db: workerB, changes }, [
          {
            attemptId: newId(),
            delivery: { deliveryId, eventId, mailboxId, endpointId },
            workerId: 'pool-b',
            trigger: 'scheduled',
            url: delivery!.url,
            requestHeaders: {},
            result: {
              startedAt: new Date(),
              durationMs: 5,
              statusCode: 503,
              responseHeaders: null,
              responseBody: null,
              responseBodyTruncated: false,
              errorKind: 'http_status',
              errorMessage: 'HTTP 503',
            },
            decision: { status: 'queued', retryInMs: 60_000 },
          },
        ]);
      },
      async () => {
        ({ claim: claimByA } = await claimWhileHeld(deliveryId));
      },
    );
    expect((await claimByA!).claimed).toEqual([]);
    expect(await deliveryRow(deliveryId)).toEqual({ status: 'queued', claimed_by: null, attempt_count: 1 });
    expect(await eventCounters(eventId)).toMatchObject({ pending_count: 1, attempt_count: 1 });
  });

  test('one puts it off (a rate limit, a Retry-After) before it commits; the other does not take it before then', async () => {
    // claimGuarded.ts puts off, in its transaction, what the endpoint's limits do not let go
    // now: queued it was, queued it stays (same worker, same attempts), only not due.
    const { eventId, deliveryId } = await store();
    let claimByA: ReturnType<typeof claimDeliveries> | undefined;
    await inTransaction(
      (workerB) =>
        deferDeliveries({ db: workerB }, [{ id: deliveryId, at: new Date(Date.now() + 60_000) }], 'scheduled'),
      async () => {
        ({ claim: claimByA } = await claimWhileHeld(deliveryId));
      },
    );
    expect((await claimByA!).claimed).toEqual([]);
    expect(await deliveryRow(deliveryId)).toEqual({ status: 'queued', claimed_by: null, attempt_count: 0 });
    expect(await eventCounters(eventId)).toMatchObject({ pending_count: 1, attempt_count: 0 });
  });
});
