/**
 * Invariant 3: a worker process killed with SIGKILL mid-delivery does not strand its
 * deliveries. graphile-worker alone would hold the job for 4 hours; Hookpost's heartbeat
 * sweep lets another worker process attempt it again within 30 s. Real processes, real
 * SIGKILL, default timings.
 */
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { createMailbox, sendEvent, startTestHookpost, type TestHookpost } from './support/hookpost.ts';
import { spawnHookpost, type HookpostProcess } from './support/process.ts';
import { startReceiver, type Receiver } from './support/receiver.ts';

let db: TestDatabase;
let api: TestHookpost;
let receiver: Receiver;
const workers: HookpostProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  api = await startTestHookpost(db.url, { role: 'api' });
  receiver = await startReceiver({ hang: true });
});

afterAll(async () => {
  for (const worker of workers) {
    worker.kill('SIGKILL');
    await worker.exited;
  }
  await receiver?.close();
  await api?.stop();
  await db?.drop();
});

describe('a worker killed mid-delivery', () => {
  test('its delivery is attempted again by another worker process within 30 s, and delivered', async () => {
    const first = await spawnHookpost({ databaseUrl: db.url, role: 'worker' });
    workers.push(first);
    await first.waitForLog(/Delivery worker .* started/);

    const mailbox = await createMailbox(api, { name: 'Crash', target_url: `${receiver.url}/hook` });
    const { tracking_number } = await (await sendEvent(api, mailbox, { event: 'order.created' })).json();
    const [inFlight] = await receiver.waitForRequests(1);
    const { rows: locked } = await db.pool.query(
      'select locked_by from graphile_worker.jobs where locked_by is not null',
    );
    expect(locked).toHaveLength(1);

    first.kill('SIGKILL');
    await first.exited;
    const killedAt = Date.now();
    receiver.reply({ status: 200 });

    const second = await spawnHookpost({ databaseUrl: db.url, role: 'worker' });
    workers.push(second);
    await second.waitForLog(/Delivery worker .* started/);

    const [, retried] = await receiver.waitForRequests(2, 30_000);
    const recoveredInMs = retried!.at - killedAt;
    expect(recoveredInMs).toBeLessThan(30_000);
    expect(retried!.headers['webhook-id']).toBe(inFlight!.headers['webhook-id']);

    await vi.waitFor(
      async () => {
        const event = await (await api.api(`/api/webhooks/${tracking_number}`)).json();
        expect(event.status).toBe('delivered');
        expect(event.deliveries[0].attempts).toEqual([expect.objectContaining({ number: 1, status_code: 200 })]);
      },
      { timeout: 5_000, interval: 100 },
    );
    expect(second.logs.some((line) => /Released the jobs of 1 worker/.test(line.msg))).toBe(true);
    console.info(`Recovered the killed worker's delivery in ${recoveredInMs} ms.`);
  }, 60_000);
});
