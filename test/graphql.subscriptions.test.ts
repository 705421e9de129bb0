/**
 * Live subscriptions in one process: events ingested through REST and attempts made by
 * the worker reach subscribers over SSE and WebSocket; filters hold; bursts are
 * coalesced; a lost LISTEN connection is reported as `resync`; subscriptions need a
 * signed-in caller; and they end when the server closes.
 */
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import {
  errorCodes,
  gqlData,
  subscribeSse,
  subscribeWs,
  type GraphQLResponse,
  type Subscription,
} from './support/graphql.ts';
import { sendEvent, startTestHookpost } from './support/hookpost.ts';
import { useHookpost, useReceiver } from './support/hooks.ts';

const { db, hookpost } = useHookpost();
const receiver = useReceiver();
let shop: { id: string; apiKey: string };
let other: { id: string; apiKey: string };
const open: Subscription[] = [];

const EVENTS = `subscription($m: ID) { eventReceived(mailboxId: $m) { events { trackingNumber eventType mailbox { name } } skipped resync } }`;
const DELIVERIES = `subscription($m: ID, $e: ID) { deliveryUpdated(mailboxId: $m, eventId: $e) { updates { status delivery { id status event { trackingNumber } } attempt { number statusCode trigger } } skipped resync } }`;

type EventsPayload = {
  eventReceived: { events: { trackingNumber: string; eventType: string }[]; skipped: number; resync: boolean };
};
type DeliveriesPayload = {
  deliveryUpdated: {
    updates: {
      status: string;
      delivery: { id: string; status: string; event: { trackingNumber: string } };
      attempt: { number: number; statusCode: number | null } | null;
    }[];
    skipped: number;
    resync: boolean;
  };
};

const receivedNumbers = (payloads: GraphQLResponse<EventsPayload>[]) =>
  payloads.flatMap((p) => p.data?.eventReceived.events.map((e) => e.trackingNumber) ?? []);
const updates = (payloads: GraphQLResponse<DeliveriesPayload>[]) =>
  payloads.flatMap((p) => p.data?.deliveryUpdated.updates ?? []);

function track<T>(subscription: Subscription<T>): Subscription<T> {
  open.push(subscription);
  return subscription;
}

async function send(mailbox: { id: string; apiKey: string }, body: unknown): Promise<string> {
  const response = await sendEvent(hookpost, { id: mailbox.id, api_key: mailbox.apiKey }, body);
  expect(response.status).toBe(202);
  return (await response.json()).tracking_number;
}

/**
 * Subscriptions start asynchronously; wait until the server holds them. Nothing tells when it
 * does (no count of live subscriptions to poll), and an event sent before would be missed:
 * a second, not 300 ms, so a loaded 2-core CI machine (a WebSocket handshake, the token's
 * lookup, the feed's start) still makes it. Where more events do no harm, `untilLive`
 * waits for the subscriptions themselves instead.
 */
const settle = () => new Promise((resolve) => setTimeout(resolve, 1_000));

/**
 * Sends events to `mailbox` until each subscription has pushed one of them (`saw`): then the
 * server holds them all.
 */
async function untilLive(
  mailbox: { id: string; apiKey: string },
  lives: { live: Subscription<any>; saw: (payloads: GraphQLResponse<any>[], sent: string[]) => boolean }[],
) {
  const sent: string[] = [];
  const deadline = Date.now() + 20_000;
  for (;;) {
    sent.push(await send(mailbox, { event: 'live.probe' }));
    const answered = await Promise.all(
      lives.map(({ live, saw }) =>
        live
          .until((payloads) => saw(payloads, sent), 1_000)
          .then(
            () => true,
            () => false,
          ),
      ),
    );
    if (answered.every(Boolean)) return;
    if (Date.now() > deadline) throw new Error('The subscriptions did not push an event sent to them within 20 s.');
  }
}
const sawEvent = (payloads: GraphQLResponse<EventsPayload>[], sent: string[]) =>
  receivedNumbers(payloads).some((number) => sent.includes(number));
const sawDelivery = (payloads: GraphQLResponse<DeliveriesPayload>[], sent: string[]) =>
  updates(payloads).some((update) => sent.includes(update.delivery.event.trackingNumber));

beforeAll(async () => {
  const create = async (name: string) => {
    const data = await gqlData(
      hookpost,
      `mutation($name: String!, $url: String!) { createMailbox(input: {name: $name, targetUrl: $url}) { apiKey mailbox { id } } }`,
      { name, url: `${receiver.url}/${name}` },
    );
    return { id: data.createMailbox.mailbox.id, apiKey: data.createMailbox.apiKey };
  };
  shop = await create('shop');
  other = await create('other');
});

afterAll(async () => {
  for (const subscription of open) await subscription.close();
});

describe('over Server-Sent Events', () => {
  test('eventReceived pushes an event ingested through REST, only for the mailbox asked for', async () => {
    const mine = track(subscribeSse<EventsPayload>(hookpost, EVENTS, { m: shop.id }));
    const all = track(subscribeSse<EventsPayload>(hookpost, EVENTS));
    await settle();
    const elsewhere = await send(other, { event: 'other.thing' });
    const number = await send(shop, { event: 'order.created' });
    const payloads = await mine.until((p) => receivedNumbers(p).includes(number));
    expect(payloads.flatMap((p) => p.data!.eventReceived.events)).toEqual([
      { trackingNumber: number, eventType: 'order.created', mailbox: { name: 'shop' } },
    ]);
    expect(receivedNumbers(payloads)).not.toContain(elsewhere);
    await all.until((p) => receivedNumbers(p).includes(number) && receivedNumbers(p).includes(elsewhere));
  });

  test('deliveryUpdated pushes the attempt and the delivered status of one event', async () => {
    const watch = track(subscribeSse<DeliveriesPayload>(hookpost, DELIVERIES, { m: shop.id }));
    await settle();
    const trackingNumber = await send(shop, { event: 'order.paid' });
    // This event's delivery: the previous test's may be delivered meanwhile, in the same mailbox.
    const ofThisEvent = (u: ReturnType<typeof updates>[number]) =>
      u.status === 'delivered' && u.delivery.event.trackingNumber === trackingNumber;
    const payloads = await watch.until((p) => updates(p).some(ofThisEvent));
    const delivered = updates(payloads).find(ofThisEvent)!;
    expect(delivered.attempt).toMatchObject({ number: 1, statusCode: 200 });
    expect(delivered.delivery.status).toBe('delivered');
    const byEvent = track(subscribeSse<DeliveriesPayload>(hookpost, DELIVERIES, { e: trackingNumber }));
    await settle();
    await send(shop, { event: 'order.paid' });
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(updates(byEvent.payloads)).toEqual([]);
  });
});

describe('over WebSocket (graphql-ws)', () => {
  test('with the token in the upgrade request headers', async () => {
    const events = track(subscribeWs<EventsPayload>(hookpost, EVENTS, { m: shop.id }));
    const deliveries = track(subscribeWs<DeliveriesPayload>(hookpost, DELIVERIES, { m: shop.id }));
    await untilLive(shop, [
      { live: events, saw: sawEvent },
      { live: deliveries, saw: sawDelivery },
    ]);
    const number = await send(shop, { event: 'ws.header' });
    await events.until((p) => receivedNumbers(p).includes(number));
    const payloads = await deliveries.until((p) => updates(p).some((u) => u.status === 'delivered'));
    expect(updates(payloads).find((u) => u.status === 'delivered')!.attempt).toMatchObject({
      number: 1,
      statusCode: 200,
    });
  });

  test('with the token in the connection_init payload', async () => {
    const events = track(subscribeWs<EventsPayload>(hookpost, EVENTS, { m: shop.id }, { viaConnectionParams: true }));
    // The socket's handshake finishes in its own time: send until one event is pushed.
    const sent: string[] = [];
    const sending = setInterval(() => void send(shop, { event: 'ws.params' }).then((n) => sent.push(n)), 300);
    try {
      await events.until((p) => receivedNumbers(p).some((n) => sent.includes(n)));
    } finally {
      clearInterval(sending);
    }
  });

  test('queries and mutations work over the socket too', async () => {
    const result = await track(subscribeWs(hookpost, `{ me { role } }`)).until((p) => p.length > 0);
    expect(result[0]).toEqual({ data: { me: { role: 'admin' } } });
  });
});

describe('who may subscribe', () => {
  test('without a token, a subscription is refused as unauthenticated over SSE and WebSocket', async () => {
    for (const subscription of [
      subscribeSse(hookpost, EVENTS, {}, { token: null }),
      subscribeWs(hookpost, EVENTS, {}, { token: null }),
    ]) {
      track(subscription);
      const [payload] = await subscription
        .until((p) => p.length > 0)
        .catch((error) => [
          {
            errors: [
              {
                message: String(error),
                extensions: { code: (error as { extensions?: { code?: string } }[])?.[0]?.extensions?.code },
              },
            ],
          } as GraphQLResponse,
        ]);
      expect(errorCodes(payload!)).toEqual(['unauthenticated']);
    }
  });

  test('revoking the access token ends its subscriptions over SSE and WebSocket at once, and a new one is refused', async () => {
    const { createAccessToken } = await gqlData(
      hookpost,
      `mutation { createAccessToken(name: "pager", role: viewer) { token accessToken { id } } }`,
    );
    const token: string = createAccessToken.token;
    const sse = track(subscribeSse<EventsPayload>(hookpost, EVENTS, {}, { token }));
    const ws = track(subscribeWs<EventsPayload>(hookpost, EVENTS, {}, { token }));
    // Both live: each pushed an event sent after it was asked for.
    await untilLive(shop, [
      { live: sse, saw: sawEvent },
      { live: ws, saw: sawEvent },
    ]);

    const revokedAt = Date.now();
    await gqlData(hookpost, `mutation($id: ID!) { revokeAccessToken(id: $id) { revokedAt } }`, {
      id: createAccessToken.accessToken.id,
    });
    await Promise.all([sse.completed, ws.completed]);
    expect(Date.now() - revokedAt).toBeLessThan(2_000);
    expect((ws.failure as { code?: number }).code).toBe(4403);
    expect(sse.failure).toBeNull();
    const after = await send(shop, { event: 'order.created' });
    expect(receivedNumbers([...sse.payloads, ...ws.payloads])).not.toContain(after);

    const again = track(subscribeSse(hookpost, EVENTS, {}, { token }));
    const [payload] = await again
      .until((p) => p.length > 0)
      .catch((error) => [
        {
          errors: [
            {
              message: String(error),
              extensions: { code: (error as { extensions?: { code?: string } }[])?.[0]?.extensions?.code },
            },
          ],
        } as GraphQLResponse,
      ]);
    expect(errorCodes(payload!)).toEqual(['unauthenticated']);
  });

  test('a bad argument is refused with validation_failed', async () => {
    const subscription = track(subscribeSse(hookpost, EVENTS, { m: 'not-a-mailbox' }));
    const [payload] = await subscription.until((p) => p.length > 0);
    expect(errorCodes(payload!)).toEqual(['validation_failed']);
  });
});

describe('under a burst', () => {
  test('events are batched: at most 100 per payload, the rest counted as skipped, none lost from the count', async () => {
    const watch = track(subscribeSse<EventsPayload>(hookpost, EVENTS, { m: other.id }));
    await settle();
    const started = Date.now();
    const total = 300;
    const sent: string[] = [];
    for (let batch = 0; batch < total / 30; batch++) {
      sent.push(...(await Promise.all(Array.from({ length: 30 }, (_, i) => send(other, { event: 'burst', i })))));
    }
    const payloads = await watch.until(
      (p) =>
        p.reduce((sum, x) => sum + x.data!.eventReceived.events.length + x.data!.eventReceived.skipped, 0) >= total,
    );
    const elapsed = Date.now() - started;
    expect(payloads.every((p) => p.data!.eventReceived.events.length <= 100)).toBe(true);
    expect(
      payloads.reduce((sum, p) => sum + p.data!.eventReceived.events.length + p.data!.eventReceived.skipped, 0),
    ).toBe(total);
    expect(receivedNumbers(payloads).every((n) => sent.includes(n))).toBe(true);
    // One payload per 200 ms window at most (and a spare for the window edges).
    expect(payloads.length).toBeLessThanOrEqual(Math.ceil(elapsed / 200) + 2);
  });

  test('many changes of one delivery within a window become one update with the latest status', async () => {
    const trackingNumber = await send(shop, { event: 'merge.me' });
    const { event } = await gqlData(
      hookpost,
      `query($n: ID!) { event(trackingNumber: $n) { deliveries { edges { node { id } } } } }`,
      { n: trackingNumber },
    );
    const deliveryId = event.deliveries.edges[0].node.id;
    // Let the worker finish with it first, so only the burst below reaches the subscriber.
    await vi.waitFor(
      async () => {
        const { delivery } = await gqlData(hookpost, `query($id: ID!) { delivery(id: $id) { status } }`, {
          id: deliveryId,
        });
        expect(delivery.status).toBe('delivered');
      },
      { timeout: 15_000, interval: 100 },
    );
    const watch = track(subscribeSse<DeliveriesPayload>(hookpost, DELIVERIES, { e: trackingNumber }));
    await settle();
    for (let i = 0; i < 1000; i++) {
      hookpost.runtime.changes.publish({
        kind: 'delivery',
        deliveryId,
        eventId: trackingNumber,
        mailboxId: shop.id,
        endpointId: 'x',
        status: i === 999 ? 'delivered' : 'delivering',
        attempt: i === 500 ? 1 : null,
      });
    }
    const payloads = await watch.until((p) => updates(p).some((u) => u.status === 'delivered'));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const all = updates(watch.payloads);
    expect(all.length).toBeLessThanOrEqual(2);
    expect(all.at(-1)!.status).toBe('delivered');
    // The attempt rides with the update it was merged into (a window edge may split the burst in two).
    expect(all.some((update) => update.attempt?.number === 1)).toBe(true);
    expect(payloads.length).toBeLessThanOrEqual(2);
  });
});

describe('a lost LISTEN connection', () => {
  test('is re-established and subscribers are told to resync', async () => {
    const watch = track(subscribeSse<EventsPayload>(hookpost, EVENTS));
    await untilLive(shop, [{ live: watch, saw: sawEvent }]);
    await db.pool.query(
      `select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'hookpost-listen' and datname = current_database()`,
    );
    await watch.until((p) => p.some((x) => x.data?.eventReceived.resync === true));
    // And live changes flow again afterwards.
    const number = await send(shop, { event: 'after.reconnect' });
    await watch.until((p) => receivedNumbers(p).includes(number));
  });
});

describe('server shutdown', () => {
  test('ends open subscriptions instead of hanging on them', async () => {
    const second = await startTestHookpost(db.url, { role: 'api' });
    const sse = subscribeSse(second, EVENTS);
    const ws = subscribeWs(second, EVENTS);
    await settle();
    const started = Date.now();
    await second.stop();
    expect(Date.now() - started).toBeLessThan(5_000);
    await Promise.race([
      Promise.allSettled([sse.completed, ws.completed]),
      new Promise((resolve) => setTimeout(resolve, 5_000)),
    ]);
    await sse.close();
    await ws.close();
  });
});
