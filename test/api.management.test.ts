/**
 * The management REST API: every action needs an operator token with a role; inputs are
 * validated where they are declared, with one error shape; deleting keeps history.
 */
import { beforeAll, describe, expect, test, vi } from 'vitest';
import type { Endpoint, Mailbox } from '../clients/typescript/src/types.ts';
import { createAccessToken } from '../server/auth/accessTokens.ts';
import { createMailbox, sendEvent } from './support/hookpost.ts';
import { useHookpost, useReceiver } from './support/hooks.ts';
import { listAll } from './support/listAll.ts';

const { db, hookpost } = useHookpost();
const receiver = useReceiver();
let viewer: string;
let operator: string;

beforeAll(async () => {
  const admin = { tokenId: 'test', name: 'test', role: 'admin' as const };
  viewer = (await createAccessToken(hookpost.runtime, admin, { name: 'viewer', role: 'viewer' })).token;
  operator = (await createAccessToken(hookpost.runtime, admin, { name: 'operator', role: 'operator' })).token;
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
    expect(await listAll<Mailbox>(hookpost, '/api/mailboxes?include_deleted=true')).toEqual([]);
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
    const endpoints = await listAll<Endpoint>(hookpost, `/api/mailboxes/${mailbox.id}/endpoints?include_deleted=true`);
    expect(endpoints).toEqual([]);
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

describe('rough edges', () => {
  test('a body that is not JSON is 415 on every management route, actions included; an empty body is no body', async () => {
    const mailbox = await createMailbox(hookpost, { name: 'Media types' });
    const created = await hookpost.api(`/api/mailboxes/${mailbox.id}/endpoints`, {
      method: 'POST',
      json: { url: `${receiver.url}/media` },
    });
    const endpointId = (await created.json()).id;
    const asText = (path: string, body: string) =>
      hookpost.api(path, { method: 'POST', headers: { 'content-type': 'text/plain' }, body });
    for (const response of [
      await asText(`/api/endpoints/${endpointId}/enable`, '{"replay_missed":true}'),
      await asText('/api/mailboxes', '{"name":"x"}'),
      await asText('/api/replays/preview', '{}'),
      await asText(`/api/endpoints/${endpointId}/pause`, 'pause'),
    ]) {
      expect(response.status).toBe(415);
      expect((await response.json()).error.code).toBe('unsupported_media_type');
    }
    // An empty body is no body, whatever it says it is.
    expect((await asText(`/api/endpoints/${endpointId}/pause`, '')).status).toBe(200);
    const enable = (init: RequestInit & { json?: unknown }) =>
      hookpost.api(`/api/endpoints/${endpointId}/enable`, { method: 'POST', ...init });
    expect((await enable({})).status).toBe(200);
    expect((await enable({ headers: { 'content-type': 'application/json' } })).status).toBe(200);
    expect((await enable({ json: { replay_missed: false } })).status).toBe(200);
  });

  test('validation messages name fields as REST spells them (snake_case), GraphQL as it does', async () => {
    const mailbox = await createMailbox(hookpost, { name: 'Field names' });
    const created = await hookpost.api(`/api/mailboxes/${mailbox.id}/endpoints`, {
      method: 'POST',
      json: { url: `${receiver.url}/names`, health_policy: { cool_down_ms: 5_000, max_cool_down_ms: 1_000 } },
    });
    expect(created.status).toBe(422);
    const { error } = await created.json();
    expect(error.message).toContain('health_policy.max_cool_down_ms: must be at least cool_down_ms');
    const replay = await hookpost.api('/api/replays', {
      method: 'POST',
      json: { failed_since: '2999-01-01T00:00:00Z' },
    });
    expect(replay.status).toBe(422);
    expect((await replay.json()).error.message).toMatch(/^failed_since: must be in the past/);
    const letters = await hookpost.api(
      '/api/dead-letters?failed_since=2026-01-02T00:00:00Z&failed_until=2026-01-01T00:00:00Z',
    );
    expect(letters.status).toBe(422);
    expect((await letters.json()).error.message).toBe('failed_until: must be after failed_since');
    for (const message of [error.message]) expect(message).not.toMatch(/[a-z][A-Z]/);

    const graphql = await hookpost.api('/graphql', {
      method: 'POST',
      json: {
        query: `mutation($id: ID!) { createEndpoint(input: { mailboxId: $id, url: "${receiver.url}/g", healthPolicy: { coolDownMs: 5000, maxCoolDownMs: 1000 } }) { endpoint { id } } }`,
        variables: { id: mailbox.id },
      },
    });
    expect((await graphql.json()).errors[0].message).toMatch(/maxCoolDownMs: must be at least coolDownMs/);
  });

  test('an endpoint shows its health policy in effect, in snake_case, as it was set', async () => {
    const mailbox = await createMailbox(hookpost, { name: 'Health policy' });
    const created = await (
      await hookpost.api(`/api/mailboxes/${mailbox.id}/endpoints`, {
        method: 'POST',
        json: { url: `${receiver.url}/policy`, health_policy: { failure_threshold: 7, cool_down_ms: 2_000 } },
      })
    ).json();
    const expected = {
      failure_threshold: 7,
      failure_rate_percent: 50,
      window_ms: 60_000,
      min_attempts: 20,
      cool_down_ms: 2_000,
      max_cool_down_ms: 1_800_000,
      disable_after_ms: 432_000_000,
    };
    expect(created.health_policy).toEqual(expected);
    expect((await (await hookpost.api(`/api/endpoints/${created.id}`)).json()).health_policy).toEqual(expected);
    const patched = await (
      await hookpost.api(`/api/endpoints/${created.id}`, { method: 'PATCH', json: { health_policy: null } })
    ).json();
    expect(patched.health_policy).toMatchObject({ failure_threshold: 5, cool_down_ms: 30_000 });
    const listed = await (await hookpost.api(`/api/mailboxes/${mailbox.id}/endpoints`)).json();
    expect(listed[0].health_policy).toMatchObject({ failure_threshold: 5 });
  });

  test('list filters of several values take a comma list, the parameter repeated, or both, and at most 20 values', async () => {
    receiver.reply({ status: 200 });
    const routed = await createMailbox(hookpost, { name: 'Filters', target_url: `${receiver.url}/filters` });
    const delivered = await (await sendEvent(hookpost, routed, { event: 'order.created' })).json();
    const other = await (
      await sendEvent(hookpost, routed, { event: 'x' }, { 'x-event-type': 'refund.created' })
    ).json();
    const ids = async (query: string) => {
      const response = await hookpost.api(`/api/webhooks?mailbox_id=${routed.id}&${query}`);
      expect(response.status).toBe(200);
      return ((await response.json()) as { tracking_number: string }[]).map((event) => event.tracking_number).sort();
    };
    const both = [delivered.tracking_number, other.tracking_number].sort();
    await vi.waitFor(async () => expect(await ids('status=delivered')).toEqual(both), { timeout: 5_000, interval: 50 });
    expect(await ids('status=failed,delivered')).toEqual(both);
    expect(await ids('status=failed&status=delivered')).toEqual(both);
    expect(await ids('status=failed&status=queued,delivered')).toEqual(both);
    expect(await ids('status=failed&status=unrouted')).toEqual([]);
    expect(await ids('event_type=order.created,refund.*')).toEqual(both);
    expect(await ids('event_type=order.created&event_type=refund.*')).toEqual(both);
    expect(await ids('event_type=refund.*')).toEqual([other.tracking_number]);

    const letters = async (query: string) => hookpost.api(`/api/dead-letters?${query}`);
    expect((await letters('status_codes=500&status_codes=502&error_kinds=timeout')).status).toBe(200);
    expect((await letters('status_codes=500,502&error_kinds=timeout,http_status')).status).toBe(200);

    for (const tooMany of [
      `/api/webhooks?${Array.from({ length: 21 }, () => 'status=failed').join('&')}`,
      `/api/webhooks?status=${Array(11).fill('failed').join(',')}&status=${Array(10).fill('queued').join(',')}`,
      `/api/dead-letters?${Array.from({ length: 21 }, (_, i) => `status_codes=${500 + i}`).join('&')}`,
    ]) {
      const response = await hookpost.api(tooMany);
      expect(response.status).toBe(422);
      const { error } = await response.json();
      expect(error).toMatchObject({ code: 'validation_failed', message: expect.stringMatching(/at most 20 values/) });
    }
  });
});
