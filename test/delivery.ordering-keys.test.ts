/**
 * Ordering keys (issue 17): an endpoint "ordered by key" gets the events of one key one at
 * a time, in arrival order, while other keys go in parallel. The API runs here; two
 * delivery workers run as separate real processes on the same database, so both take the
 * deliveries of one key and only the rule in the claim (deliveries/orderingLine.ts) keeps
 * them in line. A real receiver records, per key, the order of what it got and how many
 * requests of a key were open at once; it fails a key's head on demand.
 *
 * Nothing here waits on a timer to prove order: the receiver sees every request, and the
 * assertions are on the order and overlap it saw. The reconciler is slowed down in the
 * workers, so a line that moves on does so because the end of its head woke the next one.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { gqlData } from './support/graphql.ts';
import {
  createMailbox,
  sendEvent,
  startTestHookpost,
  type CreatedMailbox,
  type TestHookpost,
} from './support/hookpost.ts';
import { spawnHookpost, type HookpostProcess } from './support/process.ts';

let db: TestDatabase;
let api: TestHookpost;
const workers: HookpostProcess[] = [];
const servers: http.Server[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  api = await startTestHookpost(db.url, { role: 'api' });
  for (let i = 0; i < 2; i++) {
    workers.push(
      await spawnHookpost({
        databaseUrl: db.url,
        role: 'worker',
        env: {
          HOOKPOST_WORKER_POLL_INTERVAL_MS: '100',
          HOOKPOST_HEARTBEAT_INTERVAL_MS: '250',
          // Far beyond the waits below: the next of a key must be woken, not found stranded.
          HOOKPOST_RECONCILE_INTERVAL_MS: '600000',
          HOOKPOST_RECONCILE_AFTER_MS: '600000',
        },
      }),
    );
  }
  await Promise.all(workers.map((worker) => worker.waitForLog(/Delivery worker .* started/)));
});

afterAll(async () => {
  for (const worker of workers) {
    worker.kill('SIGTERM');
    await worker.exited;
  }
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
  await api?.stop();
  await db?.drop();
});

interface Seen {
  key: string;
  seq: number;
  status: number;
  deliveryId: string;
}

/**
 * A receiver of `{ data: { key, seq } }` bodies: keeps what it answered in arrival order and
 * the most requests of one key it had open at once; fails a request while `fail` says so,
 * and keeps one open while `hold` says so, until `release()`.
 */
async function orderingReceiver(
  options: {
    delayMs?: number;
    fail?: (key: string, seq: number) => boolean;
    hold?: (key: string, seq: number) => boolean;
  } = {},
) {
  const seen: Seen[] = [];
  const open = new Map<string, number>();
  const mostOpen = new Map<string, number>();
  const held: (() => void)[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const { data } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { data: { key: string; seq: number } };
      open.set(data.key, (open.get(data.key) ?? 0) + 1);
      mostOpen.set(data.key, Math.max(mostOpen.get(data.key) ?? 0, open.get(data.key)!));
      const status = options.fail?.(data.key, data.seq) ? 503 : 200;
      const answer = () => {
        seen.push({ ...data, status, deliveryId: String(request.headers['webhook-id']) });
        open.set(data.key, open.get(data.key)! - 1);
        response.writeHead(status).end(status === 200 ? 'ok' : 'down');
      };
      if (options.hold?.(data.key, data.seq)) held.push(answer);
      // Answered after a while, so that a second request of the key sent meanwhile would overlap.
      else setTimeout(answer, options.delayMs ?? 40);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    seen,
    mostOpen,
    open: (key: string) => open.get(key) ?? 0,
    release: () => held.splice(0).forEach((answer) => answer()),
    delivered: (key: string) => seen.filter((s) => s.key === key && s.status === 200).map((s) => s.seq),
    tried: (key: string) => seen.filter((s) => s.key === key).map((s) => s.seq),
  };
}

/** A mailbox whose first endpoint is the receiver, with these settings; the circuit breaker kept out of the way. */
async function setUp(url: string, settings: Record<string, unknown>) {
  const mailbox = await createMailbox(api, { name: `ordering ${Math.random()}` });
  const response = await api.api(`/api/mailboxes/${mailbox.id}/endpoints`, {
    method: 'POST',
    json: { url, health_policy: { failure_threshold: 1_000, min_attempts: 1_000 }, ...settings },
  });
  expect(response.status).toBe(201);
  const endpoint = (await response.json()) as { id: string; ordered_by_key: boolean };
  return { mailbox, endpoint };
}

/** Sends one event of a key and returns its tracking number; one after the other, so arrival order is clear. */
async function send(mailbox: CreatedMailbox, key: string, seq: number, headers: Record<string, string> = {}) {
  const response = await sendEvent(
    api,
    mailbox,
    { event: 'order.updated', data: { key, seq } },
    { 'x-ordering-key': key, ...headers },
  );
  expect(response.status).toBe(202);
  return ((await response.json()) as { tracking_number: string }).tracking_number;
}

const deliveryOf = async (trackingNumber: string) => {
  const event = await (await api.api(`/api/webhooks/${trackingNumber}`)).json();
  return event.deliveries[0] as {
    id: string;
    status: string;
    status_reason: string | null;
    ordering_key: string | null;
  };
};

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('an endpoint ordered by key', () => {
  test('delivers each key one at a time in arrival order with two workers, while a failing head holds back only its key', async () => {
    // Key a's first event fails until released; every other request succeeds.
    let released = false;
    const receiver = await orderingReceiver({ fail: (key, seq) => key === 'a' && seq === 0 && !released });
    const { mailbox, endpoint } = await setUp(receiver.url, {
      ordered_by_key: true,
      retry_policy: { max_attempts: 50, base_delay_ms: 300, factor: 1, jitter: 0 },
    });
    expect(endpoint.ordered_by_key).toBe(true);
    const keys = ['a', 'b', 'c', 'd'];
    for (const seq of range(6)) for (const key of keys) await send(mailbox, key, seq);

    // Every other key gets through while a's head keeps failing.
    await vi.waitFor(
      () => {
        for (const key of ['b', 'c', 'd']) expect(receiver.delivered(key)).toEqual(range(6));
        expect(receiver.tried('a').length).toBeGreaterThanOrEqual(2);
      },
      { timeout: 30_000, interval: 100 },
    );
    // Nothing of a behind its head was sent: only the head, again and again.
    expect(new Set(receiver.tried('a'))).toEqual(new Set([0]));

    released = true;
    await vi.waitFor(() => expect(receiver.delivered('a')).toEqual(range(6)), { timeout: 30_000, interval: 100 });
    for (const key of keys) {
      // In arrival order, one at a time, each once.
      const tried = receiver.tried(key);
      expect(tried).toEqual([...tried].sort((x, y) => x - y));
      expect(receiver.mostOpen.get(key)).toBe(1);
      const ids = receiver.seen.filter((s) => s.key === key && s.status === 200).map((s) => s.deliveryId);
      expect(new Set(ids).size).toBe(6);
    }
  }, 90_000);

  test('while one key has a request in flight, another key is delivered beside it', async () => {
    const receiver = await orderingReceiver({ hold: (key, seq) => key === 'slow' && seq === 0 });
    const { mailbox } = await setUp(receiver.url, { ordered_by_key: true, timeout_ms: 60_000 });
    await send(mailbox, 'slow', 0);
    await vi.waitFor(() => expect(receiver.open('slow')).toBe(1), { timeout: 20_000, interval: 50 });
    await send(mailbox, 'slow', 1);
    await send(mailbox, 'fast', 0);
    await send(mailbox, 'fast', 1);
    await vi.waitFor(() => expect(receiver.delivered('fast')).toEqual([0, 1]), { timeout: 20_000, interval: 100 });
    // Slow's head is still open, and nothing else of its key was sent.
    expect(receiver.open('slow')).toBe(1);
    expect(receiver.tried('slow')).toEqual([]);
    receiver.release();
    await vi.waitFor(() => expect(receiver.delivered('slow')).toEqual([0, 1]), { timeout: 20_000, interval: 100 });
    expect(receiver.mostOpen.get('slow')).toBe(1);
  }, 60_000);

  test('a head that uses up its retries ends failed, and the next of its key goes then', async () => {
    const receiver = await orderingReceiver({ fail: (_key, seq) => seq === 0 });
    const { mailbox } = await setUp(receiver.url, {
      ordered_by_key: true,
      retry_policy: { max_attempts: 3, base_delay_ms: 200, factor: 1, jitter: 0 },
    });
    const head = await send(mailbox, 'k', 0);
    await send(mailbox, 'k', 1);
    await send(mailbox, 'k', 2);
    await vi.waitFor(() => expect(receiver.delivered('k')).toEqual([1, 2]), { timeout: 30_000, interval: 100 });
    expect(receiver.tried('k')).toEqual([0, 0, 0, 1, 2]);
    expect((await deliveryOf(head)).status).toBe('failed');
  }, 60_000);

  test('cancelling a failing head skips it: the next of its key goes at once, and the waiting one says why it waits', async () => {
    const receiver = await orderingReceiver({ fail: (_key, seq) => seq === 0 });
    const { mailbox } = await setUp(receiver.url, {
      ordered_by_key: true,
      retry_policy: { max_attempts: 50, base_delay_ms: 1_000, factor: 1, jitter: 0 },
    });
    const head = await send(mailbox, 'skip-me', 0);
    const next = await send(mailbox, 'skip-me', 1);
    // The head failed twice (a retry came), and nothing behind it was sent.
    await vi.waitFor(() => expect(receiver.tried('skip-me').length).toBeGreaterThanOrEqual(2), {
      timeout: 20_000,
      interval: 100,
    });
    expect(new Set(receiver.tried('skip-me'))).toEqual(new Set([0]));
    const waiting = await deliveryOf(next);
    expect(waiting).toMatchObject({ status: 'queued', ordering_key: 'skip-me' });
    expect(waiting.status_reason).toMatch(/waiting for an earlier delivery of ordering key "skip-me"/i);
    const listed = (await (await api.api(`/api/webhooks?mailbox_id=${mailbox.id}`)).json()) as {
      tracking_number: string;
      deliveries: { status_reason: string | null }[];
    }[];
    expect(listed.find((event) => event.tracking_number === next)!.deliveries[0]!.status_reason).toMatch(
      /waiting for an earlier delivery/i,
    );
    const graphql = await gqlData(
      api,
      `query($tn: ID!) { event(trackingNumber: $tn) { deliveries { edges { node { statusReason } } } } }`,
      {
        tn: next,
      },
    );
    expect(graphql.event.deliveries.edges[0].node.statusReason).toMatch(/waiting for an earlier delivery/i);

    const headDelivery = await deliveryOf(head);
    // The head may be in flight at this moment (refused with conflict): asked again until it is between attempts.
    await vi.waitFor(
      async () => {
        const response = await api.api(`/api/deliveries/${headDelivery.id}/cancel`, { method: 'POST' });
        expect(response.status).toBe(200);
      },
      { timeout: 20_000, interval: 200 },
    );
    await vi.waitFor(() => expect(receiver.delivered('skip-me')).toEqual([1]), { timeout: 15_000, interval: 100 });
    expect((await deliveryOf(head)).status).toBe('cancelled');
    expect(receiver.tried('skip-me').filter((seq) => seq === 1)).toHaveLength(1);
  }, 60_000);

  test('a failed delivery retried by hand while a later one of its key is in flight waits, then gets its one manual attempt', async () => {
    let releaseOpen = true;
    const receiver = await orderingReceiver({
      fail: (_key, seq) => seq === 0,
      hold: (_key, seq) => seq === 1 && releaseOpen,
    });
    const { mailbox } = await setUp(receiver.url, {
      ordered_by_key: true,
      timeout_ms: 60_000,
      retry_policy: { max_attempts: 2, base_delay_ms: 100, factor: 1, jitter: 0 },
    });
    const first = await send(mailbox, 'm', 0);
    await send(mailbox, 'm', 1);
    // The first failed for good; the second is in flight, held open by the receiver.
    await vi.waitFor(
      () => {
        expect(receiver.tried('m')).toEqual([0, 0]);
        expect(receiver.open('m')).toBe(1);
      },
      { timeout: 20_000, interval: 50 },
    );
    await vi.waitFor(async () => expect((await deliveryOf(first)).status).toBe('failed'), {
      timeout: 10_000,
      interval: 50,
    });
    const { id } = await deliveryOf(first);
    expect((await api.api(`/api/deliveries/${id}/retry`, { method: 'POST' })).status).toBe(202);
    // Behind the one in flight, the retried one waits.
    await vi.waitFor(async () => expect((await deliveryOf(first)).status_reason).toMatch(/waiting for an earlier/i), {
      timeout: 20_000,
      interval: 100,
    });
    expect(receiver.tried('m')).toEqual([0, 0]);
    releaseOpen = false;
    receiver.release();
    // Its turn: one manual attempt (it fails, and is not retried).
    await vi.waitFor(async () => expect(receiver.tried('m')).toEqual([0, 0, 1, 0]), { timeout: 20_000, interval: 100 });
    await vi.waitFor(
      async () => {
        const event = await (await api.api(`/api/webhooks/${first}`)).json();
        expect(event.deliveries[0].status).toBe('failed');
        expect(event.deliveries[0].attempts.map((attempt: { trigger: string }) => attempt.trigger)).toEqual([
          'scheduled',
          'scheduled',
          'manual',
        ]);
      },
      { timeout: 20_000, interval: 100 },
    );
  }, 60_000);

  test('takes the key from a configured JSON field when an event has no x-ordering-key', async () => {
    let released = false;
    const receiver = await orderingReceiver({ fail: (key, seq) => key === 'C-7' && seq === 0 && !released });
    const { mailbox } = await setUp(receiver.url, {
      ordered_by_key: true,
      ordering_key_field: 'data.key',
      retry_policy: { max_attempts: 50, base_delay_ms: 300, factor: 1, jitter: 0 },
    });
    for (const seq of range(3)) {
      const response = await sendEvent(api, mailbox, { event: 'order.updated', data: { key: 'C-7', seq } });
      expect(response.status).toBe(202);
    }
    await vi.waitFor(() => expect(receiver.tried('C-7').length).toBeGreaterThanOrEqual(2), {
      timeout: 20_000,
      interval: 100,
    });
    expect(new Set(receiver.tried('C-7'))).toEqual(new Set([0]));
    released = true;
    await vi.waitFor(() => expect(receiver.delivered('C-7')).toEqual([0, 1, 2]), { timeout: 20_000, interval: 100 });
  }, 60_000);

  test('an endpoint without the option delivers events of one key in parallel', async () => {
    // Every request is kept open until several of the key are open at once (never, if they went one at a time).
    let released = false;
    const receiver = await orderingReceiver({ hold: () => !released });
    const { mailbox, endpoint } = await setUp(receiver.url, { timeout_ms: 60_000 });
    expect(endpoint.ordered_by_key).toBe(false);
    for (const seq of range(4)) await send(mailbox, 'same', seq);
    await vi.waitFor(() => expect(receiver.open('same')).toBe(4), { timeout: 20_000, interval: 50 });
    released = true;
    receiver.release();
    await vi.waitFor(() => expect(receiver.delivered('same')).toHaveLength(4), { timeout: 20_000, interval: 100 });
  }, 60_000);
});

describe('the ordering key of an event', () => {
  test('a bad x-ordering-key is refused with 400 invalid_ordering_key and nothing is stored', async () => {
    const { mailbox } = await setUp('http://127.0.0.1:9/hook', { ordered_by_key: true });
    const before = (await (await api.api(`/api/webhooks?mailbox_id=${mailbox.id}`)).json()) as unknown[];
    for (const key of ['', 'k'.repeat(256), 'caf\u00e9']) {
      const response = await fetch(`${api.baseUrl}/webhooks/${mailbox.id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': mailbox.api_key, 'x-ordering-key': key },
        body: JSON.stringify({ event: 'order.updated' }),
      });
      expect(response.status).toBe(400);
      expect((await response.json()).error.code).toBe('invalid_ordering_key');
    }
    const after = (await (await api.api(`/api/webhooks?mailbox_id=${mailbox.id}`)).json()) as unknown[];
    expect(after).toHaveLength(before.length);
  });

  test('is shown by REST and GraphQL, and a test event can carry one', async () => {
    const receiver = await orderingReceiver();
    const { mailbox, endpoint } = await setUp(receiver.url, { ordered_by_key: true });
    const trackingNumber = await send(mailbox, 'shown-key', 0);
    const event = await (await api.api(`/api/webhooks/${trackingNumber}`)).json();
    expect(event.ordering_key).toBe('shown-key');
    expect(event.deliveries[0].ordering_key).toBe('shown-key');
    const data = await gqlData(
      api,
      `query($tn: ID!) { event(trackingNumber: $tn) { orderingKey deliveries { edges { node { orderingKey } } } } }`,
      { tn: trackingNumber },
    );
    expect(data.event.orderingKey).toBe('shown-key');
    expect(data.event.deliveries.edges[0].node.orderingKey).toBe('shown-key');

    const sent = await gqlData(
      api,
      `mutation($id: ID!) { sendTestEvent(endpointId: $id, orderingKey: "test-key", body: "{\\"data\\":{\\"key\\":\\"test-key\\",\\"seq\\":0}}") { event { orderingKey } delivery { orderingKey } } }`,
      { id: endpoint.id },
    );
    expect(sent.sendTestEvent).toEqual({ event: { orderingKey: 'test-key' }, delivery: { orderingKey: 'test-key' } });
  });
});
