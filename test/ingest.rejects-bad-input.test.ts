/**
 * Invariant 2: a refused submission gets a clear 4xx `{error: {code, message}}` and
 * writes nothing: no event, no delivery, no job.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { createMailbox, startTestHookpost, type CreatedMailbox, type TestHookpost } from './support/hookpost.ts';

let db: TestDatabase;
let hookpost: TestHookpost;
let mailbox: CreatedMailbox;
let other: CreatedMailbox;

beforeAll(async () => {
  db = await createTestDatabase();
  hookpost = await startTestHookpost(db.url, { maxBodyBytes: 1024 });
  mailbox = await createMailbox(hookpost, { name: 'Strict', target_url: 'http://127.0.0.1:9/hook' });
  other = await createMailbox(hookpost, { name: 'Other', target_url: 'http://127.0.0.1:9/hook' });
});

afterAll(async () => {
  await hookpost?.stop();
  await db?.drop();
});

async function nothingWritten() {
  expect(await db.count('event')).toBe(0);
  expect(await db.count('delivery')).toBe(0);
  expect(await db.count('graphile_worker.jobs')).toBe(0);
}

function post(path: string, init: { headers?: Record<string, string>; body?: string | Buffer; method?: string } = {}) {
  const body = Buffer.isBuffer(init.body) ? new Uint8Array(init.body) : init.body;
  return fetch(`${hookpost.baseUrl}${path}`, { method: init.method ?? 'POST', headers: init.headers, body });
}

const json = (key: string) => ({ 'content-type': 'application/json', 'x-api-key': key });

describe('bad input is refused and writes nothing', () => {
  test.each([
    [
      'no API key',
      () => post(`/webhooks/${mailbox.id}`, { headers: { 'content-type': 'application/json' }, body: '{}' }),
      401,
      'missing_api_key',
    ],
    [
      'a wrong API key',
      () => post(`/webhooks/${mailbox.id}`, { headers: json('hpk_wrong'), body: '{}' }),
      401,
      'invalid_api_key',
    ],
    [
      "another mailbox's key",
      () => post(`/webhooks/${mailbox.id}`, { headers: json(other.api_key), body: '{}' }),
      401,
      'invalid_api_key',
    ],
    [
      'an unknown mailbox (same answer as a wrong key)',
      () => post('/webhooks/01234567-89ab-7def-8123-456789abcdef', { headers: json(mailbox.api_key), body: '{}' }),
      401,
      'invalid_api_key',
    ],
    [
      'a malformed mailbox id',
      () => post('/webhooks/not-a-uuid', { headers: json(mailbox.api_key), body: '{}' }),
      401,
      'invalid_api_key',
    ],
    [
      'invalid JSON',
      () => post(`/webhooks/${mailbox.id}`, { headers: json(mailbox.api_key), body: '{"event": "order.created",' }),
      400,
      'invalid_json',
    ],
    [
      'an empty JSON body',
      () => post(`/webhooks/${mailbox.id}`, { headers: json(mailbox.api_key), body: '' }),
      400,
      'invalid_json',
    ],
    [
      'a body over the limit',
      () =>
        post(`/webhooks/${mailbox.id}`, {
          headers: json(mailbox.api_key),
          body: JSON.stringify({ pad: 'x'.repeat(2000) }),
        }),
      413,
      'payload_too_large',
    ],
    [
      'an unsupported content type',
      () =>
        post(`/webhooks/${mailbox.id}`, {
          headers: { 'content-type': 'image/png', 'x-api-key': mailbox.api_key },
          body: Buffer.from([0x89, 0x50]),
        }),
      415,
      'unsupported_media_type',
    ],
    [
      'no content type',
      () => post(`/webhooks/${mailbox.id}`, { headers: { 'x-api-key': mailbox.api_key }, body: Buffer.from('{}') }),
      415,
      'unsupported_media_type',
    ],
    [
      'a malformed x-event-type',
      () =>
        post(`/webhooks/${mailbox.id}`, {
          headers: { ...json(mailbox.api_key), 'x-event-type': 'has spaces' },
          body: '{}',
        }),
      422,
      'validation_failed',
    ],
    [
      'the wrong method',
      () => post(`/webhooks/${mailbox.id}`, { method: 'GET', headers: json(mailbox.api_key) }),
      405,
      'method_not_allowed',
    ],
    [
      'PUT instead of POST',
      () => post(`/webhooks/${mailbox.id}`, { method: 'PUT', headers: json(mailbox.api_key), body: '{}' }),
      405,
      'method_not_allowed',
    ],
  ])('%s → %i %s', async (_what, send, status, code) => {
    const response = await send();
    expect(response.status).toBe(status);
    const body = await response.json();
    expect(body).toEqual({ error: { code, message: expect.any(String) } });
    expect(body.error.message.length).toBeGreaterThan(10);
    await nothingWritten();
  });

  test('405 says which methods are allowed', async () => {
    const response = await post(`/webhooks/${mailbox.id}`, { method: 'DELETE' });
    expect(response.headers.get('allow')).toBe('POST');
  });

  test('a revoked key stops working at once', async () => {
    const created = await (
      await hookpost.api(`/api/mailboxes/${mailbox.id}/api-keys`, { method: 'POST', json: { name: 'temp' } })
    ).json();
    expect((await post(`/webhooks/${mailbox.id}`, { headers: json(created.api_key), body: 'null' })).status).toBe(202);
    await db.pool.query('delete from delivery; delete from event; delete from graphile_worker._private_jobs');
    expect((await hookpost.api(`/api/api-keys/${created.id}/revoke`, { method: 'POST', json: {} })).status).toBe(200);
    const response = await post(`/webhooks/${mailbox.id}`, { headers: json(created.api_key), body: '{}' });
    expect(response.status).toBe(401);
    await nothingWritten();
  });

  test('the same body with the right key is accepted (the refusals above were for their reason)', async () => {
    const response = await post(`/webhooks/${mailbox.id}`, {
      headers: json(mailbox.api_key),
      body: '{"event":"order.created"}',
    });
    expect(response.status).toBe(202);
    expect(await db.count('event')).toBe(1);
  });
});
