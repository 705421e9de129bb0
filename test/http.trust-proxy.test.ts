/**
 * HOOKPOST_TRUST_PROXY: behind a TLS-terminating proxy, Hookpost believes the proxy about
 * the scheme and the client's address, so the session cookie gets `Secure` (and pages
 * HSTS) and rate limits count the real client. Without it, nobody's X-Forwarded-* header
 * is believed: a client cannot make itself look like another one.
 */
import { describe, expect, test } from 'vitest';
import { TEST_ADMIN_TOKEN, type TestHookpost } from './support/hookpost.ts';
import { useHookpost, useTestDatabase } from './support/hooks.ts';

const limits = { role: 'api' as const, authFailuresPerIp: 2, authFailuresPerCredential: 0 };
const db = useTestDatabase();
const { hookpost: direct } = useHookpost(limits, { db });
const { hookpost: proxied } = useHookpost({ ...limits, trustProxy: ['127.0.0.1', '::1'] }, { db });

const signIn = (hookpost: TestHookpost, headers: Record<string, string>) =>
  hookpost.api('/api/session', { method: 'POST', token: null, headers, json: { token: TEST_ADMIN_TOKEN } });

describe('the session cookie', () => {
  test('is Secure when the trusted proxy says the client came over https', async () => {
    const response = await signIn(proxied, {
      'x-forwarded-proto': 'https',
      origin: 'https://hookpost.example',
      'x-forwarded-host': 'hookpost.example',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('set-cookie')).toMatch(/;\s*Secure/i);
    expect(response.headers.get('strict-transport-security')).toMatch(/^max-age=/);
  });

  test('is not Secure over plain http, and a forwarded scheme is not believed without the setting', async () => {
    expect((await signIn(proxied, {})).headers.get('set-cookie')).not.toMatch(/;\s*Secure/i);
    const spoofed = await signIn(direct, { 'x-forwarded-proto': 'https' });
    expect(spoofed.status).toBe(200);
    expect(spoofed.headers.get('set-cookie')).not.toMatch(/;\s*Secure/i);
    expect(spoofed.headers.get('strict-transport-security')).toBeNull();
  });
});

describe('the client address', () => {
  const wrong = (hookpost: TestHookpost, from: string, n: number) =>
    hookpost.api('/api/mailboxes', { token: `hpt_${n}_wrong_${'x'.repeat(30)}`, headers: { 'x-forwarded-for': from } });

  test('is the forwarded one behind a trusted proxy: each client has its own limit', async () => {
    for (let n = 0; n < 3; n++) await wrong(proxied, '203.0.113.7', n);
    expect((await wrong(proxied, '203.0.113.7', 9)).status).toBe(429);
    expect((await wrong(proxied, '203.0.113.8', 10)).status).toBe(401);
  });

  test("is the connection's without the setting: forging X-Forwarded-For does not escape the limit", async () => {
    for (let n = 20; n < 23; n++) await wrong(direct, `203.0.113.${n}`, n);
    expect((await wrong(direct, '203.0.113.99', 99)).status).toBe(429);
  });
});
