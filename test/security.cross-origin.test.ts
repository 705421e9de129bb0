/**
 * Cross-site request forgery and cross-site WebSocket hijacking. A signed-in admin's
 * browser visits a page on another port of the same host: same site, so the browser
 * sends it the SameSite=Strict session cookie. That page opens a GraphQL WebSocket to
 * mint an admin token, and posts forms and no-cors fetches to disable an endpoint,
 * rotate its secret and run a mutation: every one is refused and changes nothing. The
 * same attempts from Hookpost's own page work (so the test can tell), and so does every
 * bearer-token caller, whatever its Origin.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import type { Endpoint, Mailbox } from '../clients/typescript/src/types.ts';
import { launchBrowser, type TestBrowser } from './support/browser.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { createMailbox, startTestHookpost, TEST_ADMIN_TOKEN, type TestHookpost } from './support/hookpost.ts';
import { listAll } from './support/listAll.ts';

const ALLOWED_ORIGIN = 'http://dashboard.example:5173';

let db: TestDatabase;
let hookpost: TestHookpost;
let browser: TestBrowser;
let attacker: http.Server;
let attackerUrl: string;
let own: string;
let endpointId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  hookpost = await startTestHookpost(db.url, { role: 'api', allowedOrigins: [ALLOWED_ORIGIN] });
  own = new URL(hookpost.baseUrl).origin;
  endpointId = (await createMailbox(hookpost, { name: 'Target', target_url: 'https://example.com/hook' })).endpoint_id!;
  attacker = http.createServer((_request, response) => {
    response.setHeader('content-type', 'text/html');
    response.end('<!doctype html><title>Free prizes</title><p>Hello</p>');
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`;
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  attacker?.closeAllConnections();
  await new Promise((resolve) => attacker?.close(resolve));
  await hookpost?.stop();
  await db?.drop();
});

const endpointEnabled = async () =>
  ((await (await hookpost.api(`/api/endpoints/${endpointId}`)).json()) as Endpoint).enabled;
const signingSecret = async () =>
  ((await (await hookpost.api(`/api/endpoints/${endpointId}/secret`)).json()) as { signing_secret: string })
    .signing_secret;
const tokensNamed = async (name: string) =>
  (await listAll<{ name: string }>(hookpost, '/api/access-tokens?include_revoked=true')).filter(
    (token) => token.name === name,
  ).length;
const mailboxCount = async () => (await listAll<Mailbox>(hookpost, '/api/mailboxes?include_deleted=true')).length;

/** In the page: a graphql-ws conversation that runs one mutation; what happened. */
function hijackOverWebSocket(page: Page, url: string, name: string) {
  return page.evaluate(
    ([url, name]) =>
      new Promise<{ opened: boolean; closeCode: number | null; messages: unknown[] }>((resolve) => {
        const outcome = { opened: false, closeCode: null as number | null, messages: [] as unknown[] };
        const socket = new window.WebSocket(url!, 'graphql-transport-ws');
        socket.onopen = () => {
          outcome.opened = true;
          socket.send(JSON.stringify({ type: 'connection_init' }));
        };
        socket.onmessage = (message) => {
          const data = JSON.parse(message.data as string) as { type: string };
          outcome.messages.push(data);
          if (data.type === 'connection_ack')
            socket.send(
              JSON.stringify({
                id: '1',
                type: 'subscribe',
                payload: { query: `mutation { createAccessToken(name: "${name}", role: admin) { token } }` },
              }),
            );
          if (data.type === 'complete' || data.type === 'error') socket.close(1000);
        };
        socket.onclose = (event) => {
          outcome.closeCode = event.code;
          resolve(outcome);
        };
      }),
    [url, name],
  );
}

/** In the page: the requests a cross-site page can send without a CORS preflight. */
function forge(page: Page, base: string, endpoint: string) {
  return page.evaluate(
    async ([base, endpoint]) => {
      const post = (path: string, body: string, type: string) =>
        fetch(`${base}${path}`, {
          method: 'POST',
          mode: 'no-cors',
          credentials: 'include',
          headers: { 'content-type': type },
          body,
        }).catch(() => null);
      await post(`/api/endpoints/${endpoint}/disable`, '{}', 'text/plain');
      await post(`/api/endpoints/${endpoint}/rotate-secret`, 'x=1', 'application/x-www-form-urlencoded');
      await post(
        '/graphql',
        `query=${encodeURIComponent('mutation { createAccessToken(name: "forged", role: admin) { token } }')}`,
        'application/x-www-form-urlencoded',
      );
      // And a real form, submitted into a hidden frame, as an old-school attack would.
      await new Promise<void>((resolve) => {
        const frame = document.createElement('iframe');
        frame.name = 'sink';
        frame.style.display = 'none';
        frame.onload = () => resolve();
        document.body.append(frame);
        const form = document.createElement('form');
        form.method = 'POST';
        form.action = `${base}/api/endpoints/${endpoint}/disable`;
        form.enctype = 'text/plain';
        form.target = 'sink';
        const input = document.createElement('input');
        input.name = '{"a":"';
        input.value = '"}';
        form.append(input);
        document.body.append(form);
        form.submit();
      });
    },
    [base, endpoint],
  );
}

describe('in Chromium, with an admin signed in', () => {
  let ownPage: Page;

  beforeAll(async () => {
    ownPage = await browser.context.newPage();
    await ownPage.goto(`${hookpost.baseUrl}/`);
    await ownPage.getByLabel('Access token').fill(TEST_ADMIN_TOKEN);
    await ownPage.getByRole('button', { name: 'Sign in' }).click();
    await ownPage.locator('[data-connection="live"]').waitFor({ timeout: 30_000 });
  });

  test('a page on another port of the same host cannot use the session over WebSocket', async () => {
    const page = await browser.context.newPage();
    await page.goto(attackerUrl);
    const outcome = await hijackOverWebSocket(page, `${hookpost.baseUrl.replace(/^http/, 'ws')}/graphql`, 'hijacked');
    expect(outcome).toMatchObject({ opened: false, messages: [] });
    expect(await tokensNamed('hijacked')).toBe(0);
    await page.close();
  });

  test("the same conversation from Hookpost's own page works", async () => {
    const outcome = await hijackOverWebSocket(ownPage, `${hookpost.baseUrl.replace(/^http/, 'ws')}/graphql`, 'own');
    expect(outcome.opened).toBe(true);
    expect(outcome.messages).toContainEqual(
      expect.objectContaining({
        type: 'next',
        payload: { data: { createAccessToken: { token: expect.any(String) } } },
      }),
    );
    expect(await tokensNamed('own')).toBe(1);
  });

  test('forms and no-cors posts from that page change nothing', async () => {
    const secret = await signingSecret();
    const page = await browser.context.newPage();
    await page.goto(attackerUrl);
    await forge(page, hookpost.baseUrl, endpointId);
    expect(await endpointEnabled()).toBe(true);
    expect(await signingSecret()).toBe(secret);
    expect(await tokensNamed('forged')).toBe(0);
    await page.close();
  });

  test("from Hookpost's own page, a cookie POST needs JSON or no body", async () => {
    const statuses = await ownPage.evaluate(async (endpoint) => {
      const post = async (path: string, init: RequestInit = {}) =>
        (await fetch(path, { method: 'POST', ...init })).status;
      return {
        textPlain: await post(`/api/endpoints/${endpoint}/disable`, { body: '{}' }),
        form: await post(`/api/endpoints/${endpoint}/disable`, { body: new URLSearchParams({ a: '1' }) }),
        noBody: await post(`/api/endpoints/${endpoint}/disable`),
        json: await post(`/api/endpoints/${endpoint}/enable`, {
          headers: { 'content-type': 'application/json' },
          body: '{}',
        }),
      };
    }, endpointId);
    expect(statuses).toEqual({ textPlain: 415, form: 415, noBody: 200, json: 200 });
    expect(await endpointEnabled()).toBe(true);
  });
});

describe('over plain HTTP, with a session cookie', () => {
  let cookie: string;

  beforeAll(async () => {
    const response = await hookpost.api('/api/session', {
      method: 'POST',
      token: null,
      headers: { origin: own },
      json: { token: TEST_ADMIN_TOKEN },
    });
    cookie = response.headers.get('set-cookie')!.split(';')[0]!;
  });

  const withCookie = (headers: Record<string, string>, init: RequestInit = {}) =>
    hookpost.api('/api/mailboxes', { token: null, ...init, headers: { cookie, ...headers } });

  test.each([
    ['its own origin', 200, { origin: 'OWN' }],
    ['an origin in HOOKPOST_ALLOWED_ORIGINS', 200, { origin: ALLOWED_ORIGIN }],
    ['no Origin, as a tool or a same-origin GET', 200, {}],
    ['no Origin, Sec-Fetch-Site: same-origin', 200, { 'sec-fetch-site': 'same-origin' }],
    ['another port', 403, { origin: 'http://127.0.0.1:1' }],
    ['another site', 403, { origin: 'https://evil.example' }],
    ['an opaque origin', 403, { origin: 'null' }],
    ['no Origin, Sec-Fetch-Site: same-site', 403, { 'sec-fetch-site': 'same-site' }],
    ['no Origin, Sec-Fetch-Site: cross-site', 403, { 'sec-fetch-site': 'cross-site' }],
  ])('a read from %s: %i', async (_from, status, headers) => {
    const response = await withCookie(
      Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, value === 'OWN' ? own : value])),
    );
    expect(response.status).toBe(status);
    if (status === 403) expect((await response.json()).error.code).toBe('forbidden');
  });

  test.each([
    ['text/plain', 415, 'text/plain', '{"name":"x"}'],
    ['a form', 415, 'application/x-www-form-urlencoded', 'name=x'],
    ['multipart', 415, 'multipart/form-data; boundary=b', '--b\r\n\r\nx\r\n--b--'],
    ['JSON', 201, 'application/json', '{"name":"by cookie"}'],
  ])('a change sent as %s: %i', async (_as, status, type, body) => {
    const before = await mailboxCount();
    const response = await withCookie({ origin: own, 'content-type': type }, { method: 'POST', body });
    expect(response.status).toBe(status);
    expect(await mailboxCount()).toBe(before + (status === 201 ? 1 : 0));
  });

  test('GraphQL over HTTP: a form-encoded mutation is refused, JSON runs', async () => {
    const mutation = 'mutation { createAccessToken(name: "by-form", role: viewer) { token } }';
    const form = await fetch(`${hookpost.baseUrl}/graphql`, {
      method: 'POST',
      headers: { cookie, origin: own, 'content-type': 'application/x-www-form-urlencoded' },
      body: `query=${encodeURIComponent(mutation)}`,
    });
    expect(form.status).toBe(415);
    expect((await form.json()).errors[0].extensions.code).toBe('unsupported_media_type');
    const foreign = await fetch(`${hookpost.baseUrl}/graphql`, {
      method: 'POST',
      headers: { cookie, origin: 'http://127.0.0.1:1', 'content-type': 'application/json' },
      body: JSON.stringify({ query: mutation }),
    });
    expect(foreign.status).toBe(403);
    expect((await foreign.json()).errors[0].extensions.code).toBe('forbidden');
    expect(await tokensNamed('by-form')).toBe(0);
    const json = await fetch(`${hookpost.baseUrl}/graphql`, {
      method: 'POST',
      headers: { cookie, origin: own, 'content-type': 'application/json' },
      body: JSON.stringify({ query: mutation }),
    });
    expect((await json.json()).data.createAccessToken.token).toMatch(/^hpt_/);
  });

  test('a WebSocket upgrade with the cookie from another origin is refused before it opens', async () => {
    const upgrade = (origin: string) =>
      new Promise<number>((resolve) => {
        const socket = new WebSocket(`${hookpost.baseUrl.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws', {
          headers: { cookie, origin },
        });
        socket.on('open', () => {
          socket.close();
          resolve(101);
        });
        socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
      });
    expect(await upgrade('http://127.0.0.1:1')).toBe(403);
    expect(await upgrade(own)).toBe(101);
  });

  test('signing in from another origin is refused and opens no session', async () => {
    const sessions = await db.count('operator_session');
    const response = await hookpost.api('/api/session', {
      method: 'POST',
      token: null,
      headers: { origin: 'http://127.0.0.1:1' },
      json: { token: TEST_ADMIN_TOKEN },
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('set-cookie')).toBeNull();
    expect(await db.count('operator_session')).toBe(sessions);
  });
});

describe('bearer-token callers are unaffected', () => {
  test('whatever their Origin and body type', async () => {
    const read = await hookpost.api('/api/mailboxes', { headers: { origin: 'https://tool.example' } });
    expect(read.status).toBe(200);
    // text/plain, which the cookie rule refuses even without a body (a cross-site form's
    // type); a body of it would be 415 for anyone, as every management route reads JSON only.
    const disabled = await hookpost.api(`/api/endpoints/${endpointId}/disable`, {
      method: 'POST',
      headers: { origin: 'https://tool.example', 'content-type': 'text/plain' },
    });
    expect(disabled.status).toBe(200);
    expect(await endpointEnabled()).toBe(false);
    expect((await hookpost.api(`/api/endpoints/${endpointId}/enable`, { method: 'POST' })).status).toBe(200);
  });
});
