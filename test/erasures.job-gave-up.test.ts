/**
 * A bulk erasure outlives its job: when the erasure's job used up graphile-worker's
 * attempts (an outage longer than its days of retries) or is gone (removed by hand), the
 * erasure is not left `running` for ever, holding one of the five places and erasing
 * nothing. The worker's reconciler gives it a new job, and it finishes.
 */
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import type { Erasure, Event } from '../clients/typescript/src/types.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { createMailbox, sendEvent, startTestHookpost, type TestHookpost } from './support/hookpost.ts';
import { listAll } from './support/listAll.ts';

let db: TestDatabase;
let api: TestHookpost;
let worker: TestHookpost | undefined;

beforeAll(async () => {
  db = await createTestDatabase();
  api = await startTestHookpost(db.url, { role: 'api' });
});

afterAll(async () => {
  await worker?.stop();
  await api?.stop();
  await db?.drop();
});

async function startErasure(mailboxId: string, subject: string): Promise<string> {
  const response = await api.api(`/api/mailboxes/${mailboxId}/erasures`, {
    method: 'POST',
    json: { payload: [{ path: 'data.subject_id', equals: subject }] },
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { id: string }).id;
}

test('an erasure whose job gave up or is gone gets a new one from the reconciler, and finishes', async () => {
  const mailbox = await createMailbox(api, { name: 'People' });
  for (const subject of ['S-1', 'S-2', 'S-3'])
    for (let i = 0; i < 3; i += 1)
      expect((await sendEvent(api, mailbox, { event: 'person.updated', data: { subject_id: subject } })).status).toBe(
        202,
      );
  const gaveUp = await startErasure(mailbox.id, 'S-1');
  const removed = await startErasure(mailbox.id, 'S-2');
  // No worker has run yet: one job exhausted as after 25 failures, the other removed.
  await db.pool.query(
    `update graphile_worker._private_jobs set attempts = max_attempts, last_error = 'connection terminated' where key = $1`,
    [`erasure:${gaveUp}`],
  );
  await db.pool.query(`delete from graphile_worker._private_jobs where key = $1`, [`erasure:${removed}`]);

  worker = await startTestHookpost(db.url, { role: 'worker', reconcileIntervalMs: 1_000, heartbeatIntervalMs: 200 });
  await vi.waitFor(
    async () => {
      const erasures = await listAll<Erasure>(api, `/api/mailboxes/${mailbox.id}/erasures`);
      expect(erasures.map(({ status, erased }) => ({ status, erased }))).toEqual([
        { status: 'finished', erased: 3 },
        { status: 'finished', erased: 3 },
      ]);
    },
    { timeout: 30_000, interval: 200 },
  );
  const events = await listAll<Event>(api, `/api/webhooks?mailbox_id=${mailbox.id}`);
  expect(events.filter((event) => event.erased_at)).toHaveLength(6);
});
