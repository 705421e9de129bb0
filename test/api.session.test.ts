/**
 * Dashboard sign-in: an access token is traded for an httpOnly, SameSite=Strict session
 * cookie that works for the management API; signing out or revoking the token ends it.
 */
import { describe, expect, test } from 'vitest';
import { useHookpost } from './support/hooks.ts';
import { createAccessToken, revokeAccessToken } from '../server/auth/accessTokens.ts';

const { db, hookpost } = useHookpost({ role: 'api' });
const admin = { tokenId: 'test', name: 'test', role: 'admin' as const };

async function signIn(token: string) {
  const response = await hookpost.api('/api/session', { method: 'POST', token: null, json: { token } });
  const cookie = response.headers.get('set-cookie');
  return { response, cookie: cookie?.split(';')[0] ?? null, setCookie: cookie };
}

const withCookie = (cookie: string, init: RequestInit & { json?: unknown } = {}) => ({
  ...init,
  token: null,
  headers: { cookie },
});

describe('dashboard sessions', () => {
  test('a wrong token is refused and sets no cookie', async () => {
    const { response, cookie } = await signIn('hpt_wrong');
    expect(response.status).toBe(401);
    expect(cookie).toBeNull();
  });

  test('a valid token gives an httpOnly SameSite=Strict cookie that is not the token', async () => {
    const { token } = await createAccessToken(hookpost.runtime, admin, { name: 'Ada', role: 'operator' });
    const { response, cookie, setCookie } = await signIn(token);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ name: 'Ada', role: 'operator' });
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    expect(setCookie).toMatch(/Path=\//);
    expect(cookie).not.toContain(token);
    expect((await hookpost.api('/api/session', withCookie(cookie!))).status).toBe(200);
    expect((await hookpost.api('/api/mailboxes', withCookie(cookie!))).status).toBe(200);
    const { rows } = await db.pool.query('select hash from operator_session');
    expect(rows.every((row) => row.hash.length === 32)).toBe(true);
  });

  test('the session carries the role of its token', async () => {
    const { token } = await createAccessToken(hookpost.runtime, admin, { name: 'Reader', role: 'viewer' });
    const { cookie } = await signIn(token);
    const created = await hookpost.api('/api/mailboxes', {
      method: 'POST',
      token: null,
      headers: { cookie: cookie!, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x' }),
    });
    expect(created.status).toBe(403);
  });

  test('signing out ends the session', async () => {
    const { token } = await createAccessToken(hookpost.runtime, admin, { name: 'Leaver', role: 'viewer' });
    const { cookie } = await signIn(token);
    const out = await hookpost.api('/api/session', withCookie(cookie!, { method: 'DELETE' }));
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/hookpost_session=;/);
    expect((await hookpost.api('/api/session', withCookie(cookie!))).status).toBe(401);
  });

  test('revoking the token ends its sessions', async () => {
    const { token, record } = await createAccessToken(hookpost.runtime, admin, { name: 'Revoked', role: 'viewer' });
    const { cookie } = await signIn(token);
    await revokeAccessToken(hookpost.runtime, admin, record.id);
    expect((await hookpost.api('/api/session', withCookie(cookie!))).status).toBe(401);
  });
});
