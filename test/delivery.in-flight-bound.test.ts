/**
 * HOOKPOST_WORKER_CONCURRENCY bounds the requests a worker process has in flight, even
 * when one job carries many deliveries (events accepted together share a job per
 * endpoint): a slow receiver never sees more than that many requests at once.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import type { Event } from '../clients/typescript/src/types.ts';
import { createMailbox, sendEvent, startTestHookpost, type TestHookpost } from './support/hookpost.ts';
import { listAll } from './support/listAll.ts';

const CONCURRENCY = 3;
let db: TestDatabase;
let hookpost: TestHookpost;
let receiver: http.Server;
let receiverUrl: string;
const load = { inFlight: 0, most: 0, served: 0 };

beforeAll(async () => {
  db = await createTestDatabase();
  // One endpoint may hold every slot here (its share is 1): this is the process's bound.
  hookpost = await startTestHookpost(db.url, { workerConcurrency: CONCURRENCY, endpointMaxShare: 1 });
  // A receiver that takes 150 ms per request and counts how many it holds at once.
  receiver = http.createServer((request, response) => {
    load.inFlight += 1;
    load.most = Math.max(load.most, load.inFlight);
    request.resume();
    setTimeout(() => {
      load.inFlight -= 1;
      load.served += 1;
      response.end('ok');
    }, 150);
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/slow`;
});

afterAll(async () => {
  await hookpost?.stop();
  await new Promise((resolve) => receiver?.close(resolve));
  await db?.drop();
});

test('a burst of 30 events to a slow receiver is sent at most 3 at a time, and all are delivered', async () => {
  const mailbox = await createMailbox(hookpost, { name: 'Slow receiver', target_url: receiverUrl });
  const responses = await Promise.all(
    Array.from({ length: 30 }, (_, i) => sendEvent(hookpost, mailbox, { event: 'order.created', data: { i } })),
  );
  expect(responses.map((response) => response.status)).toEqual(Array(30).fill(202));

  await vi.waitFor(
    async () => {
      const events = await listAll<Event>(hookpost, `/api/webhooks?mailbox_id=${mailbox.id}&limit=100`);
      const statuses = events.flatMap((event) => event.deliveries.map((delivery) => delivery.status));
      expect(statuses.filter((status) => status === 'delivered')).toHaveLength(30);
    },
    { timeout: 20_000, interval: 100 },
  );
  expect(load.served).toBe(30);
  expect(load.most).toBe(CONCURRENCY);
});
