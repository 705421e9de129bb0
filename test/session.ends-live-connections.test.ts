/**
 * A dashboard session's live connections end with it. Signing out (in any API process)
 * closes the WebSockets and SSE subscriptions opened with its cookie at once, in every
 * process, and a session's expiry closes them when it comes; like revoking a token
 * already did. Nothing opened with the cookie keeps running mutations afterwards.
 */
import { createClient, type Client } from 'graphql-ws';
import { createClient as createSseClient } from 'graphql-sse';
import { describe, expect, test, vi } from 'vitest';
import WebSocket from 'ws';
import { createMailbox, sendEvent, TEST_ADMIN_TOKEN, type TestHookpost } from './support/hookpost.ts';
import { useHookpost, useTestDatabase } from './support/hooks.ts';
import { listAll } from './support/listAll.ts';

const db = useTestDatabase();
const { hookpost: first } = useHookpost({ role: 'api' }, { db });
const { hookpost: second } = useHookpost({ role: 'api' }, { db });

const originOf = (hookpost: TestHookpost) => new URL(hookpost.baseUrl).origin;

async function signIn(hookpost: TestHookpost): Promise<string> {
  const response = await hookpost.api('/api/session', {
    method: 'POST',
    token: null,
    headers: { origin: originOf(hookpost) },
    json: { token: TEST_ADMIN_TOKEN },
  });
  expect(response.status).toBe(200);
  return response.headers.get('set-cookie')!.split(';')[0]!;
}

async function signOut(hookpost: TestHookpost, cookie: string) {
  const response = await hookpost.api('/api/session', {
    method: 'DELETE',
    token: null,
    headers: { cookie, origin: originOf(hookpost) },
  });
  expect(response.status).toBe(204);
}

interface CookieSocket {
  client: Client;
  /** Resolves with the close code and reason when the server closes the socket. */
  closed: Promise<{ code: number; reason: string }>;
  run(query: string): Promise<unknown>;
}

/** A graphql-ws client authenticated by the cookie alone, as the dashboard's is. */
function cookieSocket(hookpost: TestHookpost, cookie: string): CookieSocket {
  let onClosed!: (close: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (onClosed = resolve));
  const origin = originOf(hookpost);
  const client = createClient({
    url: `${hookpost.baseUrl.replace(/^http/, 'ws')}/graphql`,
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => undefined,
    on: {
      closed: (event) => {
        const { code, reason } = event as { code: number; reason: string };
        onClosed({ code, reason });
      },
    },
    webSocketImpl: class extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { headers: { cookie, origin } });
      }
    },
  });
  return {
    client,
    closed,
    run: (query) =>
      new Promise((resolve, reject) => {
        let result: unknown;
        client.subscribe(
          { query },
          { next: (value) => (result = value), error: reject, complete: () => resolve(result) },
        );
      }),
  };
}

const MINT = (name: string) => `mutation { createAccessToken(name: "${name}", role: admin) { token } }`;

describe('signing out', () => {
  test("closes the session's WebSockets in this process and the others, and nothing more runs", async () => {
    const cookie = await signIn(first);
    const here = cookieSocket(first, cookie);
    const there = cookieSocket(second, cookie);
    const subscribed: unknown[] = [];
    here.client.subscribe(
      { query: 'subscription { eventReceived { skipped } }' },
      {
        next: (value) => subscribed.push(value),
        error: () => undefined,
        complete: () => undefined,
      },
    );
    // Both sockets work with the session before sign-out.
    expect(await here.run(MINT('before-sign-out-1'))).toMatchObject({
      data: { createAccessToken: { token: expect.any(String) } },
    });
    expect(await there.run(MINT('before-sign-out-2'))).toMatchObject({
      data: { createAccessToken: { token: expect.any(String) } },
    });

    await signOut(first, cookie);
    expect(await here.closed).toEqual({ code: 4403, reason: 'Forbidden: the session was signed out' });
    expect(await there.closed).toEqual({ code: 4403, reason: 'Forbidden: the session was signed out' });

    // A new socket with the old cookie is anonymous: mutations are refused.
    const again = cookieSocket(second, cookie);
    expect(await again.run(MINT('after-sign-out'))).toMatchObject({
      errors: [expect.objectContaining({ extensions: { code: 'unauthenticated' } })],
    });
    await again.client.dispose();
    const tokens = await listAll<{ name: string }>(first, '/api/access-tokens?include_revoked=true');
    expect(tokens.map((token) => token.name)).not.toContain('after-sign-out');
  });

  test("ends the session's SSE subscriptions", async () => {
    const cookie = await signIn(second);
    const client = createSseClient({
      url: `${second.baseUrl}/graphql`,
      headers: { cookie, origin: originOf(second) },
      retryAttempts: 0,
    });
    let completed!: () => void;
    const ended = new Promise<void>((resolve) => (completed = resolve));
    const payloads: unknown[] = [];
    client.subscribe(
      { query: 'subscription { eventReceived { skipped } }' },
      {
        next: (value) => payloads.push(value),
        error: () => completed(),
        complete: () => completed(),
      },
    );
    // The stream is surely open once it has pushed something.
    const mailbox = await createMailbox(second, { name: 'Live' });
    expect((await sendEvent(second, mailbox, { event: 'live' })).status).toBe(202);
    await vi.waitFor(() => expect(payloads.length).toBeGreaterThan(0), { timeout: 10_000, interval: 20 });
    await signOut(first, cookie);
    await ended;
    client.dispose();
  });
});

describe('a session expiring', () => {
  test('closes its WebSocket when it expires, not later', async () => {
    const cookie = await signIn(first);
    // The session has a moment left.
    await db.pool.query(`update operator_session set expires_at = now() + interval '1500 milliseconds'`);
    const socket = cookieSocket(first, cookie);
    expect(await socket.run('{ me { role } }')).toEqual({ data: { me: { role: 'admin' } } });
    expect(await socket.closed).toEqual({ code: 4403, reason: 'Forbidden: the session expired' });
    const { rows } = await db.pool.query(`select count(*)::int as n from operator_session where expires_at > now()`);
    expect(rows[0].n).toBe(0);
  });
});
