/**
 * Live subscriptions are bounded: at most HOOKPOST_LIVE_MAX_PER_CONNECTION operations on
 * one WebSocket connection (default 20; the issue saw 300 on one socket take ingest from
 * 15 ms to 3.25 s) and HOOKPOST_LIVE_MAX_PER_TOKEN per access token over all its
 * connections, SSE included. Past either, the new subscription is refused with
 * `too_many_subscriptions` and the open ones go on; closing one frees its place.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { beforeAll, describe, expect, test } from 'vitest';
import { gqlData, subscribeSse, subscribeWs, type GraphQLResponse, type Subscription } from './support/graphql.ts';
import { createMailbox, sendEvent, TEST_ADMIN_TOKEN, type CreatedMailbox } from './support/hookpost.ts';
import { useHookpost } from './support/hooks.ts';

const PER_TOKEN = 25;
const LIVE = 'subscription { eventReceived { skipped resync events { id } } }';

const { hookpost } = useHookpost({ role: 'api', liveMaxPerToken: PER_TOKEN });
let mailbox: CreatedMailbox;

beforeAll(async () => {
  mailbox = await createMailbox(hookpost, { name: 'Orders' });
});

/** One WebSocket connection carrying many operations. */
function connection(token: string): Client {
  return createClient({
    url: `${hookpost.baseUrl.replace(/^http/, 'ws')}/graphql`,
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => undefined,
    webSocketImpl: class extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { headers: { authorization: `Bearer ${token}` } });
      }
    },
  });
}

interface Live {
  payloads: GraphQLResponse[];
  errors: unknown[];
  stop(): void;
}

function subscribe(client: Client): Live {
  const live: Live = { payloads: [], errors: [], stop: () => undefined };
  live.stop = client.subscribe(
    { query: LIVE },
    {
      next: (value) => void live.payloads.push(value as GraphQLResponse),
      error: (error) => void live.errors.push(error),
      complete: () => undefined,
    },
  );
  return live;
}

/** The code a refused subscription was given, whether as an error or as an errors payload. */
const refusal = (live: Live | Subscription) => {
  const errors = ('errors' in live ? live.errors : [live.failure]).flat() as { extensions?: { code?: string } }[];
  return errors[0]?.extensions?.code ?? live.payloads[0]?.errors?.[0]?.extensions?.code;
};

async function waitFor(condition: () => boolean, what: string, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Sends events until each of `lives` has pushed a payload since (a subscription is live
 * a moment after it is asked for).
 */
async function allReceive(lives: (Live | Subscription)[]) {
  const before = lives.map((live) => live.payloads.length);
  const received = () => lives.every((live, i) => live.payloads.length > before[i]!);
  const deadline = Date.now() + 15_000;
  while (!received()) {
    if (Date.now() > deadline) throw new Error('Timed out waiting for every subscription to push.');
    expect((await sendEvent(hookpost, mailbox, { event: 'order.created' })).status).toBe(202);
    await waitFor(received, 'every subscription to push', 500).catch(() => undefined);
  }
}

describe('subscriptions are bounded', () => {
  test('one WebSocket connection holds at most 20 operations; the 21st is refused, the others go on', async () => {
    const client = connection(TEST_ADMIN_TOKEN);
    try {
      const lives = Array.from({ length: 20 }, () => subscribe(client));
      await allReceive(lives);

      const extra = subscribe(client);
      await waitFor(() => refusal(extra) !== undefined, 'the 21st to be refused');
      expect(refusal(extra)).toBe('too_many_subscriptions');
      expect(lives.every((live) => live.errors.length === 0)).toBe(true);
      await allReceive(lives);

      // Completing one frees its place on the connection.
      lives.pop()!.stop();
      const again = subscribe(client);
      await allReceive([...lives, again]);
      expect(again.errors).toEqual([]);
    } finally {
      await client.dispose();
    }
  });

  test('one access token holds at most its quota over all its connections, SSE included', async () => {
    const viewer = (await gqlData(hookpost, `mutation { createAccessToken(name: "wall", role: viewer) { token } }`))
      .createAccessToken.token as string;
    const clients = [connection(viewer), connection(viewer)];
    const sse: Subscription[] = [];
    try {
      const lives = [
        ...Array.from({ length: 12 }, () => subscribe(clients[0]!)),
        ...Array.from({ length: 12 }, () => subscribe(clients[1]!)),
      ];
      sse.push(subscribeSse(hookpost, LIVE, {}, { token: viewer }));
      await allReceive([...lives, ...sse]);

      const overWs = subscribeWs(hookpost, LIVE, {}, { token: viewer });
      await waitFor(() => refusal(overWs) !== undefined, 'the subscription past the quota to be refused');
      expect(refusal(overWs)).toBe('too_many_subscriptions');
      await overWs.close();

      // Another token is not affected.
      const admin = subscribeWs(hookpost, LIVE);
      await allReceive([admin]);
      await admin.close();

      // A closed SSE subscription frees its place for the token (once the server has seen
      // the stream close: until then a new one may still be refused).
      await sse.pop()!.close();
      let again = subscribe(clients[1]!);
      const deadline = Date.now() + 10_000;
      for (;;) {
        await waitFor(
          () => again.errors.length > 0 || again.payloads.length > 0 || refusal(again) !== undefined,
          'an answer',
          2_000,
        ).catch(() => undefined);
        if (refusal(again) === undefined || Date.now() > deadline) break;
        again.stop();
        await new Promise((resolve) => setTimeout(resolve, 100));
        again = subscribe(clients[1]!);
      }
      await allReceive([...lives, again]);
      expect(again.errors).toEqual([]);
    } finally {
      await Promise.all([...clients.map((client) => client.dispose()), ...sse.map((live) => live.close())]);
    }
  });
});
