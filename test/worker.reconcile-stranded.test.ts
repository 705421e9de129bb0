/**
 * Invariant 7, "nothing is stuck": a delivery that says it is on its way but that no job
 * will run is settled by the reconciler within seconds, with no person involved:
 * - its job used up graphile-worker's own attempts (an infrastructure failure, ten times
 *   over): the delivery ends `failed` with the job's last error as its reason, and a
 *   manual retry delivers it;
 * - its job is gone altogether: it is put back in line and delivered.
 * The api runs without a worker while the test breaks the jobs, then a worker starts.
 */
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { eventByTracking } from './support/events.ts';
import {
  createMailbox,
  sendEvent,
  startTestHookpost,
  type CreatedMailbox,
  type TestHookpost,
} from './support/hookpost.ts';
import { startReceiver, type Receiver } from './support/receiver.ts';

let db: TestDatabase;
let api: TestHookpost;
let worker: TestHookpost | undefined;
let receiver: Receiver;
let mailbox: CreatedMailbox;

beforeAll(async () => {
  db = await createTestDatabase();
  receiver = await startReceiver({ status: 200 });
  api = await startTestHookpost(db.url, { role: 'api' });
  mailbox = await createMailbox(api, { name: 'Stranded', target_url: `${receiver.url}/hook` });
});

afterAll(async () => {
  await worker?.stop();
  await api?.stop();
  await receiver?.close();
  await db?.drop();
});

async function delivery(trackingNumber: string) {
  const event = await eventByTracking(api, trackingNumber);
  return { event, delivery: event.deliveries[0]! };
}

describe('stranded deliveries', () => {
  test('a job that gave up ends its delivery failed with the reason; one that vanished is run again', async () => {
    const gaveUp = (await (await sendEvent(api, mailbox, { event: 'job.gave_up' })).json()).tracking_number;
    const vanished = (await (await sendEvent(api, mailbox, { event: 'job.vanished' })).json()).tracking_number;
    const gaveUpDelivery = (await delivery(gaveUp)).delivery.id;
    const vanishedDelivery = (await delivery(vanished)).delivery.id;
    // What graphile-worker leaves after ten failed runs of a job, and a job lost outright.
    await db.pool.query(
      `update graphile_worker._private_jobs set attempts = max_attempts, last_error = 'relation "x" is locked'
        where payload::text like '%' || $1 || '%'`,
      [gaveUpDelivery],
    );
    await db.pool.query(`delete from graphile_worker._private_jobs where payload::text like '%' || $1 || '%'`, [
      vanishedDelivery,
    ]);
    // Old enough to count as settled.
    await db.pool.query(`update delivery set updated_at = now() - interval '1 minute'`);

    worker = await startTestHookpost(db.url, {
      role: 'worker',
      reconcileIntervalMs: 1_000,
      reconcileAfterMs: 1_000,
      heartbeatIntervalMs: 200,
      workerStaleAfterMs: 1_000,
    });

    await vi.waitFor(async () => expect((await delivery(vanished)).event.status).toBe('delivered'), {
      timeout: 20_000,
      interval: 200,
    });
    await vi.waitFor(
      async () => {
        const { event } = await delivery(gaveUp);
        expect(event.status).toBe('failed');
      },
      { timeout: 20_000, interval: 200 },
    );
    expect((await delivery(gaveUp)).delivery.status_reason).toMatch(/failed 10 times.*relation "x" is locked/);
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([vanishedDelivery]);

    // An operator retries it: one manual attempt, delivered.
    expect((await api.api(`/api/webhooks/${gaveUp}/retry`, { method: 'POST' })).status).toBe(202);
    await vi.waitFor(async () => expect((await delivery(gaveUp)).event.status).toBe('delivered'), {
      timeout: 20_000,
      interval: 200,
    });
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual([vanishedDelivery, gaveUpDelivery]);
  });
});
