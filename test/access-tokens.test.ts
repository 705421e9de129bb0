/**
 * Access tokens managed over REST as over GraphQL (admins only): made with a name, a
 * role and an optional expiry, shown once; listed with their prefix, role, last use and
 * who made them; revoked at once. An expired token stops working by itself, and so do
 * the sessions and live connections opened with it.
 */
import { createClient } from 'graphql-ws';
import { describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { errorCodes, gql } from './support/graphql.ts';
import { TEST_ADMIN_TOKEN } from './support/hookpost.ts';
import { useHookpost } from './support/hooks.ts';
import { listAll } from './support/listAll.ts';

const { db, hookpost } = useHookpost({ role: 'api' });

const tokenNames = async () =>
  (await listAll<{ name: string }>(hookpost, '/api/access-tokens?include_revoked=true')).map((token) => token.name);
const create = (json: unknown, token: string = TEST_ADMIN_TOKEN) =>
  hookpost.api('/api/access-tokens', { method: 'POST', token, json });

describe('over REST', () => {
  test('an admin makes a token, sees it once, lists it with its maker, revokes it', async () => {
    const made = await create({ name: 'CI', role: 'operator' });
    expect(made.status).toBe(201);
    const created = await made.json();
    expect(created).toMatchObject({
      name: 'CI',
      role: 'operator',
      token: expect.stringMatching(/^hpt_/),
      prefix: created.token.slice(0, 12),
      created_by: 'HOOKPOST_ADMIN_TOKEN',
      expires_at: null,
      last_used_at: null,
    });
    expect((await hookpost.api('/api/mailboxes', { token: created.token })).status).toBe(200);

    const listed = await (await hookpost.api('/api/access-tokens')).json();
    const entry = listed.find((token: { id: string }) => token.id === created.id);
    expect(entry).toMatchObject({ name: 'CI', prefix: created.prefix, created_by: 'HOOKPOST_ADMIN_TOKEN' });
    expect(entry.last_used_at).not.toBeNull();
    expect(JSON.stringify(listed)).not.toContain(created.token);

    const revoked = await hookpost.api(`/api/access-tokens/${created.id}/revoke`, { method: 'POST' });
    expect((await revoked.json()).revoked_at).not.toBeNull();
    expect((await hookpost.api('/api/mailboxes', { token: created.token })).status).toBe(401);
    const active = await (await hookpost.api('/api/access-tokens')).json();
    expect(active.map((token: { id: string }) => token.id)).not.toContain(created.id);
    const all = await (await hookpost.api('/api/access-tokens?include_revoked=true')).json();
    expect(all.map((token: { id: string }) => token.id)).toContain(created.id);
  });

  test('bad input is a 422 and makes nothing; only admins manage tokens', async () => {
    const before = await tokenNames();
    expect((await create({ name: ' ', role: 'viewer' })).status).toBe(422);
    expect((await create({ name: 'x', role: 'root' })).status).toBe(422);
    expect((await create({ name: 'x', role: 'viewer', expires_at: '2001-01-01T00:00:00Z' })).status).toBe(422);
    expect((await create({ name: 'x', role: 'viewer', expires_at: 'tomorrow' })).status).toBe(422);
    const operator = (await (await create({ name: 'ops', role: 'operator' })).json()).token;
    expect((await create({ name: 'x', role: 'viewer' }, operator)).status).toBe(403);
    expect(await tokenNames()).toEqual([...before, 'ops']);
  });
});

describe('expiry', () => {
  test('a token with an expiry works until then, and its sessions no longer', async () => {
    const expiresAt = new Date(Date.now() + 3600_000).toISOString();
    const created = await (await create({ name: 'Temp', role: 'viewer', expires_at: expiresAt })).json();
    expect(created.expires_at).toBe(expiresAt);
    expect((await hookpost.api('/api/mailboxes', { token: created.token })).status).toBe(200);
    const signedIn = await hookpost.api('/api/session', {
      method: 'POST',
      token: null,
      json: { token: created.token },
    });
    const cookie = signedIn.headers.get('set-cookie')!;
    // The session's cookie expires with the token, not after the usual 12 hours.
    expect(Number(/Max-Age=(\d+)/i.exec(cookie)![1])).toBeLessThanOrEqual(3600);

    await db.pool.query(`update access_token set expires_at = now() - interval '1 second' where id = $1`, [created.id]);
    expect((await hookpost.api('/api/mailboxes', { token: created.token })).status).toBe(401);
    expect(
      (await hookpost.api('/api/session', { token: null, headers: { cookie: cookie.split(';')[0]! } })).status,
    ).toBe(401);
  });

  test('a live connection ends when its token expires', async () => {
    const soon = new Date(Date.now() + 60_000).toISOString();
    const created = await (await create({ name: 'Brief', role: 'viewer', expires_at: soon })).json();
    // The token has a moment left.
    await db.pool.query(`update access_token set expires_at = now() + interval '1500 milliseconds' where id = $1`, [
      created.id,
    ]);
    const closed = new Promise<{ code: number; reason: string }>((resolve) => {
      const client = createClient({
        url: `${hookpost.baseUrl.replace(/^http/, 'ws')}/graphql`,
        retryAttempts: 0,
        lazy: false,
        onNonLazyError: () => undefined,
        connectionParams: { authorization: `Bearer ${created.token}` },
        webSocketImpl: WebSocket,
        on: {
          closed: (event) => {
            const { code, reason } = event as { code: number; reason: string };
            resolve({ code, reason });
          },
        },
      });
      client.subscribe(
        { query: 'subscription { eventReceived { skipped } }' },
        { next: () => {}, error: () => {}, complete: () => {} },
      );
    });
    expect(await closed).toEqual({ code: 4403, reason: 'Forbidden: the access token expired' });
  });
});

describe('over GraphQL', () => {
  test('createAccessToken takes an expiry; tokens show it and who made them', async () => {
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const made = await gql(
      hookpost,
      `mutation($at: DateTime) { createAccessToken(name: "Nightly", role: viewer, expiresAt: $at) { token accessToken { expiresAt createdByName } } }`,
      { at: expiresAt },
    );
    expect(made.data.createAccessToken.accessToken).toEqual({ expiresAt, createdByName: 'HOOKPOST_ADMIN_TOKEN' });
    const past = await gql(
      hookpost,
      `mutation { createAccessToken(name: "Old", role: viewer, expiresAt: "2001-01-01T00:00:00Z") { token } }`,
    );
    expect(errorCodes(past)).toEqual(['validation_failed']);
  });
});
