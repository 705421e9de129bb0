/**
 * With HTTPS_PROXY / HTTP_PROXY set, deliveries leave through the proxy (credentials
 * included), NO_PROXY hosts are reached directly, and the SSRF guard still checks the
 * endpoint's host and every address it resolves to before anything reaches the proxy.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { request } from 'undici';
import type { EgressProxy } from '../server/config.ts';
import { createOutboundAgent, sendAttempt } from '../server/delivery/sendAttempt.ts';
import { createTargetPolicy } from '../server/delivery/targetGuard.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { startForwardProxy, type ForwardProxy } from './support/forwardProxy.ts';
import { createMailbox, sendEvent, startTestHookpost, type TestHookpost } from './support/hookpost.ts';
import { startReceiver, type Receiver } from './support/receiver.ts';

let proxy: ForwardProxy;
let receiver: Receiver;

beforeAll(async () => {
  proxy = await startForwardProxy();
  receiver = await startReceiver();
});

afterEach(() => {
  proxy.requests.length = 0;
  receiver.requests.length = 0;
});

afterAll(async () => {
  await proxy?.close();
  await receiver?.close();
});

const viaProxy = (noProxy = ''): EgressProxy => ({ httpProxy: proxy.url, httpsProxy: proxy.url, noProxy });
const receiverPort = () => new URL(receiver.url).port;
const outbound = (url: string) => ({
  url,
  headers: { 'content-type': 'text/plain' },
  body: Buffer.from('hi'),
  timeoutMs: 5_000,
});

describe('a Hookpost worker behind an egress proxy', () => {
  let db: TestDatabase;
  let hookpost: TestHookpost;

  beforeAll(async () => {
    db = await createTestDatabase();
    const credentials = new URL(proxy.url);
    credentials.username = 'hookpost';
    credentials.password = 's3cret';
    hookpost = await startTestHookpost(db.url, {
      egressProxy: { httpProxy: credentials.toString(), httpsProxy: undefined, noProxy: '' },
    });
  });

  afterAll(async () => {
    await hookpost?.stop();
    await db?.drop();
  });

  test('delivers through the proxy, authenticating with the credentials in its URL', async () => {
    const mailbox = await createMailbox(hookpost, { name: 'Proxied', target_url: `${receiver.url}/hook` });
    expect((await sendEvent(hookpost, mailbox, { event: 'order.created' })).status).toBe(202);

    const [received] = await receiver.waitForRequests(1);
    expect(received).toMatchObject({ method: 'POST', path: '/hook', body: Buffer.from('{"event":"order.created"}') });
    expect(received!.headers['webhook-id']).toEqual(expect.any(String));
    expect(received!.headers['proxy-authorization']).toBeUndefined();
    expect(proxy.requests).toEqual([
      {
        line: `POST ${receiver.url}/hook`,
        proxyAuthorization: `Basic ${Buffer.from('hookpost:s3cret').toString('base64')}`,
      },
    ]);
  });
});

describe('the outbound agent with a proxy', () => {
  test('a host name that resolves to a blocked address never reaches the proxy', async () => {
    const agent = createOutboundAgent(createTargetPolicy([]), viaProxy());
    try {
      // Straight to the agent, past sendAttempt's check of the URL itself: the agent's own
      // check must resolve `localhost` and refuse it.
      const sent = request(`http://localhost:${receiverPort()}/hook`, {
        method: 'POST',
        body: 'hi',
        dispatcher: agent,
      });
      await expect(sent).rejects.toMatchObject({ code: 'ERR_TARGET_BLOCKED' });
      expect(proxy.requests).toEqual([]);
      expect(receiver.requests).toEqual([]);
    } finally {
      await agent.close();
    }
  });

  test('a blocked literal address is recorded as blocked_target, and nothing is sent', async () => {
    const policy = createTargetPolicy([]);
    const agent = createOutboundAgent(policy, viaProxy());
    try {
      const outcome = await sendAttempt(agent, policy, outbound('http://169.254.169.254/latest/meta-data/'));
      expect(outcome).toMatchObject({ ok: false, errorKind: 'blocked_target' });
      expect(proxy.requests).toEqual([]);
    } finally {
      await agent.close();
    }
  });

  test('an allowed address goes through the proxy', async () => {
    const policy = createTargetPolicy(['127.0.0.0/8']);
    const agent = createOutboundAgent(policy, viaProxy());
    try {
      const outcome = await sendAttempt(agent, policy, outbound(`${receiver.url}/allowed`));
      expect(outcome).toMatchObject({ ok: true, statusCode: 200 });
      expect(proxy.requests.map((r) => r.line)).toEqual([`POST ${receiver.url}/allowed`]);
      expect(receiver.requests.map((r) => r.path)).toEqual(['/allowed']);
    } finally {
      await agent.close();
    }
  });

  test('https:// endpoints are tunnelled by host name, so TLS runs end to end', async () => {
    const policy = createTargetPolicy(['localhost']);
    const agent = createOutboundAgent(policy, viaProxy());
    try {
      // The receiver speaks plain HTTP: the TLS handshake through the tunnel fails, which
      // is recorded like any other failure.
      const outcome = await sendAttempt(agent, policy, outbound(`https://localhost:${receiverPort()}/tls`));
      expect(outcome.ok).toBe(false);
      expect(proxy.requests.map((r) => r.line)).toEqual([`CONNECT localhost:${receiverPort()}`]);
      expect(receiver.requests).toEqual([]);
    } finally {
      await agent.close();
    }
  });

  test('NO_PROXY hosts are reached directly', async () => {
    const policy = createTargetPolicy(['127.0.0.0/8']);
    const agent = createOutboundAgent(policy, viaProxy('127.0.0.1'));
    try {
      const outcome = await sendAttempt(agent, policy, outbound(`${receiver.url}/direct`));
      expect(outcome).toMatchObject({ ok: true, statusCode: 200 });
      expect(proxy.requests).toEqual([]);
      expect(receiver.requests.map((r) => r.path)).toEqual(['/direct']);
    } finally {
      await agent.close();
    }
  });
});
