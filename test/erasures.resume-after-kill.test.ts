/**
 * A bulk erasure survives its worker: the worker process running it is killed with
 * SIGKILL mid-way, and another worker process takes it up where the last committed batch
 * left it, erasing every matching event exactly once and nothing else. Real processes,
 * real SIGKILL.
 */
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import type { Event } from '../clients/typescript/src/types.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { eventByTracking } from './support/events.ts';
import { createMailbox, sendEvent, startTestHookpost, type TestHookpost } from './support/hookpost.ts';
import { listAll } from './support/listAll.ts';
import { spawnHookpost, type HookpostProcess } from './support/process.ts';

let db: TestDatabase;
let api: TestHookpost;
const workers: HookpostProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  api = await startTestHookpost(db.url, { role: 'api' });
});

afterAll(async () => {
  for (const worker of workers) {
    worker.kill('SIGKILL');
    await worker.exited;
  }
  await api?.stop();
  await db?.drop();
});

async function erasure(id: string) {
  return (await (await api.api(`/api/erasures/${id}`)).json()) as { status: string; matched: number; erased: number };
}

describe('a worker killed mid-erasure', () => {
  test('another worker process finishes it from where it stopped', async () => {
    // Of a type no endpoint takes: stored, not delivered.
    const mailbox = await createMailbox(api, {
      name: 'Subjects',
      target_url: 'http://127.0.0.1:9/none',
      event_types: ['x'],
    });
    const matching: string[] = [];
    const kept: string[] = [];
    for (let i = 0; i < 80; i += 1) {
      const subject = i % 4 === 0 ? 'S-2' : 'S-1';
      const response = await sendEvent(api, mailbox, { event: 'person.updated', data: { subject_id: subject, i } });
      (subject === 'S-1' ? matching : kept).push(
        ((await response.json()) as { tracking_number: string }).tracking_number,
      );
    }

    // Slow on purpose: one event a batch, five batches a second, so there is time to kill it mid-way.
    const first = await spawnHookpost({
      databaseUrl: db.url,
      role: 'worker',
      env: { HOOKPOST_ERASURE_PER_SECOND: '5' },
    });
    workers.push(first);
    await first.waitForLog(/Delivery worker .* started/);
    const started = await api.api(`/api/mailboxes/${mailbox.id}/erasures`, {
      method: 'POST',
      json: { payload: [{ path: 'data.subject_id', equals: 'S-1' }] },
    });
    const { id, matched } = (await started.json()) as { id: string; matched: number };
    expect(matched).toBe(60);
    await vi.waitFor(async () => expect((await erasure(id)).erased).toBeGreaterThanOrEqual(5), {
      timeout: 60_000,
      interval: 100,
    });
    first.kill('SIGKILL');
    await first.exited;
    const atKill = await erasure(id);
    expect(atKill.status).toBe('running');
    expect(atKill.erased).toBeLessThan(60);
    // What the dead worker committed is all there is: the count and the rows agree.
    expect(await db.count('event', `mailbox_id = '${mailbox.id}' and erased_at is not null`)).toBe(atKill.erased);

    const second = await spawnHookpost({ databaseUrl: db.url, role: 'worker' });
    workers.push(second);
    await second.waitForLog(/Delivery worker .* started/);
    // The job may have been locked by the dead worker: the sweep frees it (stale after 15 s).
    await vi.waitFor(async () => expect(await erasure(id)).toMatchObject({ status: 'finished', erased: 60 }), {
      timeout: 90_000,
      interval: 250,
    });
    const events = await listAll<Event>(api, `/api/webhooks?mailbox_id=${mailbox.id}&limit=100`);
    const erasedAt = new Map(events.map((event) => [event.tracking_number, event.erased_at]));
    expect(matching.filter((trackingNumber) => erasedAt.get(trackingNumber))).toHaveLength(60);
    expect(kept.filter((trackingNumber) => erasedAt.get(trackingNumber) === null)).toHaveLength(20);
    const keptBodies = await Promise.all(
      kept.map(async (trackingNumber) => (await eventByTracking(api, trackingNumber)).body),
    );
    expect(keptBodies.filter((body) => body.length > 0)).toHaveLength(20);
    expect(await second.waitForLog(/Bulk erasure .* finished: 60 events erased/)).toBeTruthy();
  }, 180_000);
});
