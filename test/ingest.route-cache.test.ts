/**
 * API processes cache which mailbox a key opens and its endpoints. A change made through
 * one process reaches the others' caches within moments (through the change bus), and
 * at once in the process that made it.
 */
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { createMailbox, sendEvent, startTestHookpost, type TestHookpost } from './support/hookpost.ts';

let db: TestDatabase;
let a: TestHookpost;
let b: TestHookpost;

beforeAll(async () => {
  db = await createTestDatabase();
  a = await startTestHookpost(db.url, { role: 'api' });
  b = await startTestHookpost(db.url, { role: 'api' });
});

afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await db?.drop();
});

describe('the route cache across API processes', () => {
  test('a key revoked through one process stops working in another within a second', async () => {
    const mailbox = await createMailbox(a, { name: 'Revoked elsewhere', target_url: 'https://example.com/hook' });
    expect((await sendEvent(b, mailbox, { warm: 'the cache' })).status).toBe(202);
    const [key] = await (await a.api(`/api/mailboxes/${mailbox.id}/api-keys`)).json();
    expect((await a.api(`/api/api-keys/${key.id}/revoke`, { method: 'POST' })).status).toBe(200);
    expect((await sendEvent(a, mailbox, { same: 'process' })).status).toBe(401);
    const revokedAt = Date.now();
    await vi.waitFor(async () => expect((await sendEvent(b, mailbox, { other: 'process' })).status).toBe(401), { timeout: 1_000, interval: 20 });
    expect(Date.now() - revokedAt).toBeLessThan(1_000);
  });

  test('an endpoint added through one process receives events accepted by another', async () => {
    const mailbox = await createMailbox(a, { name: 'Grows', target_url: 'https://example.com/first' });
    const first = await (await sendEvent(b, mailbox, { event: 'x' })).json();
    expect(await db.count('delivery', `event_id = '${first.tracking_number}'`)).toBe(1);
    expect((await a.api(`/api/mailboxes/${mailbox.id}/endpoints`, { method: 'POST', json: { url: 'https://example.com/second' } })).status).toBe(201);
    await vi.waitFor(async () => {
      const next = await (await sendEvent(b, mailbox, { event: 'x' })).json();
      expect(await db.count('delivery', `event_id = '${next.tracking_number}'`)).toBe(2);
    }, { timeout: 1_000, interval: 20 });
  });
});
