/**
 * Guessing credentials is limited, per client address and per credential prefix, across
 * every API process (the counts are in PostgreSQL). Past a limit the caller gets 429 with
 * Retry-After until the window ends, and the refused attempt writes nothing; callers
 * with a right credential are not held back, from elsewhere or from the same address.
 *
 * Two API processes share the database here, behind a trusted proxy, so that
 * X-Forwarded-For stands for the client's address (as HOOKPOST_TRUST_PROXY does).
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { createAccessToken } from '../server/auth/accessTokens.ts';
import { createMailbox, sendEvent, TEST_ADMIN_TOKEN, type TestHookpost } from './support/hookpost.ts';
import { useHookpost, useTestDatabase } from './support/hooks.ts';
import { listAll } from './support/listAll.ts';

const PER_IP = 5;
const PER_CREDENTIAL = 3;
const WINDOW_SECONDS = 120;

const limits = {
  role: 'api' as const,
  trustProxy: true,
  authFailuresPerIp: PER_IP,
  authFailuresPerCredential: PER_CREDENTIAL,
  authFailureWindowSeconds: WINDOW_SECONDS,
};
const db = useTestDatabase();
const { hookpost: first } = useHookpost(limits, { db });
const { hookpost: second } = useHookpost(limits, { db });
let viewer: string;
let addresses = 0;
/** A client address not used before in this file. */
const newAddress = () => `198.51.100.${++addresses}`;
/** A wrong access token with a prefix of its own (so only the address limit applies). */
const wrongToken = (n: number) => `hpt_${String(n).padStart(8, '0')}_${'x'.repeat(30)}`;

beforeAll(async () => {
  const admin = { tokenId: 'test', name: 'test', role: 'admin' as const };
  viewer = (await createAccessToken(first.runtime, admin, { name: 'viewer', role: 'viewer' })).token;
});

const read = (hookpost: TestHookpost, token: string, from: string) =>
  hookpost.api('/api/mailboxes', { token, headers: { 'x-forwarded-for': from } });

const failures = async (key: string) =>
  ((await db.pool.query(`select points from auth_failure where key = $1`, [key])).rows[0]?.points ?? 0) as number;

async function expectTooMany(response: Response) {
  expect(response.status).toBe(429);
  const retryAfter = Number(response.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThan(0);
  expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
  return response;
}

describe('bearer tokens', () => {
  test('one address: 401 up to the limit, then 429 with Retry-After, and a refused attempt writes nothing', async () => {
    const from = newAddress();
    for (let n = 1; n <= PER_IP; n++) expect((await read(first, wrongToken(n), from)).status).toBe(401);
    const crossing = await expectTooMany(await read(first, wrongToken(99), from));
    expect((await crossing.json()).error.code).toBe('too_many_requests');
    expect(await failures(`ip:${from}`)).toBe(PER_IP + 1);
    for (let n = 100; n < 110; n++) await expectTooMany(await read(first, wrongToken(n), from));
    // Refused before anything was looked up: not even counted.
    expect(await failures(`ip:${from}`)).toBe(PER_IP + 1);
  });

  test('right tokens are not held back: from another address, or one this process accepted before', async () => {
    const from = newAddress();
    expect((await read(first, viewer, from)).status).toBe(200);
    for (let n = 200; n <= 200 + PER_IP; n++) await read(first, wrongToken(n), from);
    await expectTooMany(await read(first, wrongToken(299), from));
    expect((await read(first, viewer, from)).status).toBe(200);
    expect((await read(first, wrongToken(298), newAddress())).status).toBe(401);
    expect((await read(first, TEST_ADMIN_TOKEN, newAddress())).status).toBe(200);
  });

  test('the count is shared by every process: failures in two add up, and both refuse', async () => {
    const from = newAddress();
    for (let n = 300; n < 300 + PER_IP; n++)
      expect((await read(n % 2 ? first : second, wrongToken(n), from)).status).toBe(401);
    await expectTooMany(await read(first, wrongToken(390), from));
    await expectTooMany(await read(second, wrongToken(391), from));
    expect(await failures(`ip:${from}`)).toBe(PER_IP + 2);
  });

  test("guesses at one token's prefix from many addresses are limited; the token itself still works", async () => {
    const prefix = viewer.slice(0, 12);
    const guess = (n: number) => `${prefix}${String(n).padStart(43, 'z')}`;
    for (let n = 1; n <= PER_CREDENTIAL; n++) expect((await read(second, guess(n), newAddress())).status).toBe(401);
    await expectTooMany(await read(second, guess(10), newAddress()));
    await expectTooMany(await read(second, guess(11), newAddress()));
    expect(await failures(`credential:${prefix}`)).toBe(PER_CREDENTIAL + 1);
    expect((await read(second, viewer, newAddress())).status).toBe(200);
  });

  test('GraphQL answers 429 in its own shape', async () => {
    const from = newAddress();
    const query = (token: string) =>
      fetch(`${first.baseUrl}/graphql`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-forwarded-for': from },
        body: JSON.stringify({ query: '{ me { name } }' }),
      });
    for (let n = 400; n < 400 + PER_IP; n++) await query(wrongToken(n));
    const refused = await expectTooMany(await query(wrongToken(499)));
    expect((await refused.json()).errors[0].extensions.code).toBe('too_many_requests');
  });
});

describe('signing in', () => {
  test('wrong tokens: 401 up to the limit, then 429, and no session is ever opened', async () => {
    const from = newAddress();
    const signIn = (token: string) =>
      first.api('/api/session', { method: 'POST', token: null, headers: { 'x-forwarded-for': from }, json: { token } });
    for (let n = 500; n < 500 + PER_IP; n++) expect((await signIn(wrongToken(n))).status).toBe(401);
    const refused = await expectTooMany(await signIn(wrongToken(599)));
    expect(refused.headers.get('set-cookie')).toBeNull();
    expect(await db.count('operator_session')).toBe(0);
    // Someone else signs in as usual.
    const elsewhere = await first.api('/api/session', {
      method: 'POST',
      token: null,
      headers: { 'x-forwarded-for': newAddress() },
      json: { token: viewer },
    });
    expect(elsewhere.status).toBe(200);
  });
});

describe('API keys', () => {
  test('wrong keys: 401 up to the limit, then 429 and no event; a producer already sending goes on', async () => {
    const mailbox = await createMailbox(first, { name: 'Producer' });
    const from = newAddress();
    const send = (apiKey: string) =>
      sendEvent(first, { id: mailbox.id, api_key: apiKey }, { event: 'x' }, { 'x-forwarded-for': from });
    expect((await send(mailbox.api_key)).status).toBe(202);
    for (let n = 1; n <= PER_IP; n++) expect((await send(`hpk_${n}_${'w'.repeat(40)}`)).status).toBe(401);
    await expectTooMany(await send(`hpk_crossing_${'w'.repeat(40)}`));
    const eventCount = async () => (await listAll(first, `/api/webhooks?mailbox_id=${mailbox.id}`)).length;
    expect(await eventCount()).toBe(1);
    await expectTooMany(await send(`hpk_after_${'w'.repeat(40)}`));
    expect(await eventCount()).toBe(1);
    expect((await send(mailbox.api_key)).status).toBe(202);
    expect(await eventCount()).toBe(2);
  });
});
