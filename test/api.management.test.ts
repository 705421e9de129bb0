/**
 * The management REST API: every action needs an operator token with a role; inputs are
 * validated where they are declared, with one error shape; deleting keeps history.
 */
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { createAccessToken } from '../server/auth/accessTokens.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { createMailbox, sendEvent, startTestHookpost, type TestHookpost } from './support/hookpost.ts';
import { startReceiver, type Receiver } from './support/receiver.ts';

let db: TestDatabase;
let hookpost: TestHookpost;
let receiver: Receiver;
let viewer: string;
let operator: string;

beforeAll(async () => {
  db = await createTestDatabase();
  hookpost = await startTestHookpost(db.url);
  receiver = await startReceiver();
  const admin = { tokenId: 'test', name: 'test', role: 'admin' as const };
  viewer = (await createAccessToken(hookpost.runtime, admin, { name: 'viewer', role: 'viewer' })).token;
  operator = (await createAccessToken(hookpost.runtime, admin, { name: 'operator', role: 'operator' })).token;
});

afterAll(async () => {
  await hookpost?.stop();
  await receiver?.close();
  await db?.drop();
});

describe('authentication and roles', () => {
  test.each([
    ['GET', '/api/mailboxes'],
    ['POST', '/api/mailboxes'],
    ['GET', '/api/webhooks'],
  ])('%s %s without a token is 401', async (method, path) => {
    const response = await hookpost.api(path, {
      method,
      token: null,
      json: method === 'POST' ? { name: 'x' } : undefined,
    });
    expect(response.status).toBe(401);
    expect((await response.json()).error.code).toBe('unauthenticated');
  });

  test('an unknown or revoked token is 401', async () => {
    expect((await hookpost.api('/api/mailboxes', { token: 'hpt_not-a-real-token' })).status).toBe(401);
  });

  test('a viewer reads but cannot change anything', async () => {
    expect((await hookpost.api('/api/mailboxes', { token: viewer })).status).toBe(200);
    const response = await hookpost.api('/api/mailboxes', { method: 'POST', token: viewer, json: { name: 'nope' } });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({
      error: { code: 'forbidden', message: expect.stringContaining('operator') },
    });
    expect(await db.count('mailbox')).toBe(0);
  });

  test('an operator manages mailboxes', async () => {
    const response = await hookpost.api('/api/mailboxes', {
      method: 'POST',
      token: operator,
      json: { name: 'By operator' },
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({
      name: 'By operator',
      target_url: null,
      endpoint_id: null,
      signing_secret: null,
    });
  });

  test('tokens are stored hashed and never logged back', async () => {
    const { rows } = await db.pool.query('select hash, prefix from access_token');
    for (const row of rows) {
      expect(row.hash).toHaveLength(32);
      expect(
        operator.startsWith(row.prefix) || viewer.startsWith(row.prefix) || row.prefix.startsWith('hpt_test'),
      ).toBe(true);
    }
  });
});

describe('mailboxes', () => {
  test('list, read, rename and delete; history stays readable after delete', async () => {
    const mailbox = await createMailbox(hookpost, { name: 'Lifecycle', target_url: `${receiver.url}/lc` });
    expect((await (await hookpost.api(`/api/mailboxes/${mailbox.id}`)).json()).name).toBe('Lifecycle');
    const renamed = await hookpost.api(`/api/mailboxes/${mailbox.id}`, { method: 'PATCH', json: { name: 'Renamed' } });
    expect((await renamed.json()).name).toBe('Renamed');
    expect((await hookpost.api(`/api/mailboxes/${mailbox.id}`, { method: 'PATCH', json: { name: '  ' } })).status).toBe(
      422,
    );

    const { tracking_number } = await (await sendEvent(hookpost, mailbox, { event: 'before.delete' })).json();
    expect((await hookpost.api(`/api/mailboxes/${mailbox.id}`, { method: 'DELETE' })).status).toBe(204);
    // A deleted mailbox stays readable (as in GraphQL), marked deleted, and leaves the list.
    const deleted = await hookpost.api(`/api/mailboxes/${mailbox.id}`);
    expect(deleted.status).toBe(200);
    expect((await deleted.json()).deleted_at).toEqual(expect.any(String));
    expect((await sendEvent(hookpost, mailbox, { event: 'after.delete' })).status).toBe(401);
    expect((await hookpost.api(`/api/webhooks/${tracking_number}`)).status).toBe(200);
    const listed = (await (await hookpost.api('/api/mailboxes')).json()).map((m: { id: string }) => m.id);
    expect(listed).not.toContain(mailbox.id);
    const withDeleted = await (await hookpost.api('/api/mailboxes?include_deleted=true')).json();
    expect(withDeleted.map((m: { id: string }) => m.id)).toContain(mailbox.id);
    expect((await hookpost.api(`/api/mailboxes/0193a1b2-0000-7000-8000-000000000000`)).status).toBe(404);
  });

  test('API keys: several live keys, listed by prefix only, revoked with a grace period', async () => {
    const mailbox = await createMailbox(hookpost, { name: 'Keys', target_url: `${receiver.url}/keys` });
    const added = await (
      await hookpost.api(`/api/mailboxes/${mailbox.id}/api-keys`, { method: 'POST', json: { name: 'ci' } })
    ).json();
    expect(added.api_key).toMatch(/^hpk_/);
    const keys = await (await hookpost.api(`/api/mailboxes/${mailbox.id}/api-keys`)).json();
    expect(keys).toHaveLength(2);
    expect(JSON.stringify(keys)).not.toContain(added.api_key);
    expect((await sendEvent(hookpost, { id: mailbox.id, api_key: added.api_key }, { a: 1 })).status).toBe(202);
    expect((await sendEvent(hookpost, mailbox, { a: 1 })).status).toBe(202);

    const revoked = await (
      await hookpost.api(`/api/api-keys/${keys[0].id}/revoke`, { method: 'POST', json: { grace_seconds: 60 } })
    ).json();
    expect(Date.parse(revoked.revoked_at)).toBeGreaterThan(Date.now() + 50_000);
    expect((await sendEvent(hookpost, mailbox, { still: 'works during the grace period' })).status).toBe(202);
    expect((await hookpost.api(`/api/api-keys/${added.id}/revoke`, { method: 'POST' })).status).toBe(200);
    expect((await sendEvent(hookpost, { id: mailbox.id, api_key: added.api_key }, { a: 1 })).status).toBe(401);
  });
});

describe('endpoints', () => {
  test.each([
    [{ url: 'https://example.com', event_types: ['order created'] }, 'event_types'],
    [{ url: 'https://example.com', headers: { 'Content-Type': 'text/plain' } }, 'cannot be overridden'],
    [{ url: 'https://example.com', headers: { 'X-Bad': 'a\r\nb' } }, 'line breaks'],
    [{ url: 'https://example.com', timeout_ms: 10 }, 'timeout_ms'],
    [{ url: 'https://example.com', retry_policy: { max_attempts: 0 } }, 'retry_policy.max_attempts'],
    [{ url: 'https://example.com', retry_policy: { jitter: 2 } }, 'retry_policy.jitter'],
    [{ url: '' }, 'url'],
  ])('invalid input %j is a 422 naming the problem and writes nothing', async (body, mentions) => {
    const mailbox = await createMailbox(hookpost, { name: 'Validation' });
    const response = await hookpost.api(`/api/mailboxes/${mailbox.id}/endpoints`, { method: 'POST', json: body });
    expect(response.status).toBe(422);
    const { error } = await response.json();
    expect(error.code).toBe('validation_failed');
    expect(error.message).toContain(mentions);
    expect(await db.count('endpoint', `mailbox_id = '${mailbox.id}'`)).toBe(0);
  });

  test('change, disable (cancelling what waits), enable, delete', async () => {
    receiver.reply({ status: 500 });
    const mailbox = await createMailbox(hookpost, { name: 'Endpoint life' });
    const created = await (
      await hookpost.api(`/api/mailboxes/${mailbox.id}/endpoints`, {
        method: 'POST',
        json: {
          url: `${receiver.url}/life`,
          retry_policy: { schedule: [60_000] },
          headers: { 'X-Token': 'secret-value' },
        },
      })
    ).json();
    expect(created.retry_policy).toEqual({
      preset: 'spec',
      max_attempts: 2,
      base_delay_ms: 2000,
      factor: 2,
      max_delay_ms: 3600000,
      jitter: 0,
      schedule: [60_000],
    });
    expect(created.headers).toEqual({ 'X-Token': 'secret-value' });
    expect((await (await hookpost.api(`/api/endpoints/${created.id}`, { token: viewer })).json()).headers).toEqual({
      'X-Token': '[hidden]',
    });

    const patched = await (
      await hookpost.api(`/api/endpoints/${created.id}`, {
        method: 'PATCH',
        json: { description: 'primary', event_types: ['order.*'] },
      })
    ).json();
    expect(patched).toMatchObject({ description: 'primary', event_types: ['order.*'], url: `${receiver.url}/life` });

    const { tracking_number } = await (await sendEvent(hookpost, mailbox, { event: 'order.created' })).json();
    await vi.waitFor(
      async () => {
        const event = await (await hookpost.api(`/api/webhooks/${tracking_number}`)).json();
        expect(event.deliveries[0]).toMatchObject({ status: 'queued', attempt_count: 1 });
      },
      { timeout: 5_000, interval: 50 },
    );

    const disabled = await (await hookpost.api(`/api/endpoints/${created.id}/disable`, { method: 'POST' })).json();
    expect(disabled.enabled).toBe(false);
    const event = await (await hookpost.api(`/api/webhooks/${tracking_number}`)).json();
    expect(event).toMatchObject({
      status: 'cancelled',
      deliveries: [expect.objectContaining({ status: 'cancelled', next_attempt_at: null })],
    });

    expect((await (await hookpost.api(`/api/endpoints/${created.id}/enable`, { method: 'POST' })).json()).enabled).toBe(
      true,
    );
    receiver.reply({ status: 200 });
    expect((await hookpost.api(`/api/webhooks/${tracking_number}/retry`, { method: 'POST' })).status).toBe(202);
    await vi.waitFor(
      async () =>
        expect((await (await hookpost.api(`/api/webhooks/${tracking_number}`)).json()).status).toBe('delivered'),
      { timeout: 5_000, interval: 50 },
    );

    expect((await hookpost.api(`/api/endpoints/${created.id}`, { method: 'DELETE' })).status).toBe(204);
    const deleted = await hookpost.api(`/api/endpoints/${created.id}`);
    expect(deleted.status).toBe(200);
    expect((await deleted.json()).deleted_at).toEqual(expect.any(String));
    expect(await (await hookpost.api(`/api/mailboxes/${mailbox.id}/endpoints`)).json()).toEqual([]);
    expect((await hookpost.api(`/api/webhooks/${tracking_number}`)).status).toBe(200);
  });
});
