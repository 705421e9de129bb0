/**
 * Idempotency keys on POST /webhooks/{mailbox_id}: a producer that sends again with the
 * same Idempotency-Key gets the first 202 and tracking number and stores nothing, even
 * with a hundred copies at once at two api processes; the same key with another body is
 * refused; a bad key is refused and writes nothing; a key counts only within its window.
 * A repeat is compared with the stored event (ingest/idempotency.ts).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { eventByTracking } from './support/events.ts';
import { errorCodes, gql, gqlData } from './support/graphql.ts';
import {
  createMailbox,
  sendEvent,
  startTestHookpost,
  type CreatedMailbox,
  type TestHookpost,
} from './support/hookpost.ts';
import { listAll } from './support/listAll.ts';
import { spawnHookpost, type HookpostProcess } from './support/process.ts';

let db: TestDatabase;
let api: TestHookpost;
let secondApi: HookpostProcess;
let secondApiUrl: string;
let mailbox: CreatedMailbox;
let other: CreatedMailbox;

beforeAll(async () => {
  db = await createTestDatabase();
  api = await startTestHookpost(db.url, { role: 'api' });
  secondApi = await spawnHookpost({ databaseUrl: db.url, role: 'api' });
  const listening = await secondApi.waitForLog(/is listening on/, 60_000);
  secondApiUrl = (listening as { url?: string }).url!;
  mailbox = await createMailbox(api, { name: 'Orders', target_url: 'http://127.0.0.1:9/orders' });
  other = await createMailbox(api, { name: 'Invoices', target_url: 'http://127.0.0.1:9/invoices' });
}, 90_000);

afterAll(async () => {
  if (secondApi) {
    secondApi.kill('SIGTERM');
    await secondApi.exited;
  }
  await api?.stop();
  await db?.drop();
});

const eventsWithKey = (key: string) => db.count('event', `idempotency_key = '${key}'`);

/** The events the mailbox lists (every page). */
const eventsOfMailbox = async () => (await listAll(api, `/api/webhooks?mailbox_id=${mailbox.id}`)).length;

/**
 * Deliveries the queue's jobs name (counted once per naming) against deliveries stored:
 * equal when every stored delivery has exactly one job and no job names one not stored
 * (the api runs no worker here, so the jobs wait). A batch where a key repeats keeps
 * only the stored deliveries in its jobs; one where none does passes them as they are.
 */
const jobNamings = async () => ({
  named: await db.count(
    `graphile_worker._private_jobs j cross join lateral jsonb_array_elements(j.payload::jsonb -> 'deliveries') as d(x)
       join delivery v on v.id = (d.x ->> 'id')::uuid`,
    `j.payload::jsonb ? 'deliveries'`,
  ),
  namings: await db.count(
    `graphile_worker._private_jobs j cross join lateral jsonb_array_elements(j.payload::jsonb -> 'deliveries') as d(x)`,
    `j.payload::jsonb ? 'deliveries'`,
  ),
  stored: await db.count('delivery'),
});

describe('the same key again', () => {
  test('gets the first 202 and tracking number, and stores nothing more', async () => {
    const body = { event: 'order.created', data: { order_id: 'ORD-1' } };
    const first = await sendEvent(api, mailbox, body, { 'idempotency-key': 'order-1-created' });
    expect(first.status).toBe(202);
    const firstBody = (await first.json()) as { tracking_number: string; status: string };
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const events = await db.count('event');
    const deliveries = await db.count('delivery');
    const jobs = await db.count('graphile_worker.jobs');

    const again = await sendEvent(api, mailbox, body, { 'idempotency-key': 'order-1-created' });
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('location')).toBe(`/api/webhooks/${firstBody.tracking_number}`);
    expect(await again.json()).toEqual(firstBody);
    expect(firstBody.status).toBe('queued');
    expect(await db.count('event')).toBe(events);
    expect(await db.count('delivery')).toBe(deliveries);
    expect(await db.count('graphile_worker.jobs')).toBe(jobs);
  });

  test('with another body is refused with 409 and stores nothing', async () => {
    const sent = await sendEvent(
      api,
      mailbox,
      { event: 'order.created', data: { n: 1 } },
      { 'idempotency-key': 'k-2' },
    );
    expect(sent.status).toBe(202);
    const events = await db.count('event');
    const refused = await sendEvent(
      api,
      mailbox,
      { event: 'order.created', data: { n: 2 } },
      { 'idempotency-key': 'k-2' },
    );
    expect(refused.status).toBe(409);
    const { error } = (await refused.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('idempotency_key_reused');
    expect(error.message).toContain('k-2');
    expect(await db.count('event')).toBe(events);
  });

  test('with the same body under another type, Content-Type or ordering key is refused with 409; the same headers again are a repeat', async () => {
    const body = JSON.stringify({ data: { n: 3 } });
    const send = (headers: Record<string, string>) =>
      fetch(`${api.baseUrl}/webhooks/${mailbox.id}`, {
        method: 'POST',
        headers: { 'x-api-key': mailbox.api_key, 'idempotency-key': 'k-3', ...headers },
        body,
      });
    const original = { 'content-type': 'application/json', 'x-event-type': 'order.created', 'x-ordering-key': 'C-1' };
    const first = await send(original);
    expect(first.status).toBe(202);
    const events = await db.count('event');
    for (const changed of [
      { 'x-event-type': 'order.cancelled' },
      { 'content-type': 'text/plain' },
      { 'x-ordering-key': 'C-2' },
    ]) {
      const refused = await send({ ...original, ...changed });
      expect(refused.status, JSON.stringify(changed)).toBe(409);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('idempotency_key_reused');
    }
    const again = await send(original);
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await db.count('event')).toBe(events);
  });

  test('the same event with its type in x-event-type or only in the body is a repeat', async () => {
    const body = JSON.stringify({ event: 'order.shipped', data: { n: 4 } });
    const send = (headers: Record<string, string>) =>
      fetch(`${api.baseUrl}/webhooks/${mailbox.id}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-api-key': mailbox.api_key,
          'idempotency-key': 'k-4',
          ...headers,
        },
        body,
      });
    const first = (await (await send({})).json()) as { tracking_number: string };
    const again = await send({ 'x-event-type': 'order.shipped' });
    expect(again.status).toBe(202);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(((await again.json()) as { tracking_number: string }).tracking_number).toBe(first.tracking_number);
  });

  test('among new keys in one batch, a taken key is a repeat and the new ones are stored once', async () => {
    const body = (n: number) => JSON.stringify({ event: 'order.created', data: { batch: n } });
    const send = (key: string, n: number) =>
      fetch(`${api.baseUrl}/webhooks/${mailbox.id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': mailbox.api_key, 'idempotency-key': key },
        body: body(n),
      });
    const taken = (await (await send('batch-taken', 0)).json()) as { tracking_number: string };
    const before = await eventsOfMailbox();
    // Sent at once, they share transactions (group commit): a batch whose insert finds the
    // taken key goes again, claiming its keys.
    const responses = await Promise.all([
      send('batch-taken', 0),
      ...Array.from({ length: 30 }, (_, i) => send(`batch-new-${i}`, i + 1)),
    ]);
    expect(responses.map((r) => r.status)).toEqual(Array(31).fill(202));
    expect(responses[0]!.headers.get('idempotent-replayed')).toBe('true');
    expect(((await responses[0]!.json()) as { tracking_number: string }).tracking_number).toBe(taken.tracking_number);
    expect(responses.slice(1).map((r) => r.headers.get('idempotent-replayed'))).toEqual(Array(30).fill(null));
    expect((await eventsOfMailbox()) - before).toBe(30);
    const jobs = await jobNamings();
    expect(jobs.namings).toBe(jobs.stored);
    expect(jobs.named).toBe(jobs.stored);
  });

  test('at another mailbox is another event', async () => {
    const body = { event: 'order.created' };
    const a = await sendEvent(api, mailbox, body, { 'idempotency-key': 'shared-key' });
    const b = await sendEvent(api, other, body, { 'idempotency-key': 'shared-key' });
    expect(a.status).toBe(202);
    expect(b.status).toBe(202);
    const [ta, tb] = [(await a.json()) as { tracking_number: string }, (await b.json()) as { tracking_number: string }];
    expect(ta.tracking_number).not.toBe(tb.tracking_number);
  });

  test('after the window is a new event', async () => {
    const body = { event: 'order.created', data: { order_id: 'ORD-old' } };
    const first = (await (await sendEvent(api, mailbox, body, { 'idempotency-key': 'old-key' })).json()) as {
      tracking_number: string;
    };
    // The key was claimed 25 hours ago (the window is 24 h by default).
    await db.pool.query(`update event set received_at = now() - interval '25 hours' where idempotency_key = 'old-key'`);
    const later = await sendEvent(api, mailbox, body, { 'idempotency-key': 'old-key' });
    expect(later.status).toBe(202);
    expect(later.headers.get('idempotent-replayed')).toBeNull();
    const second = (await later.json()) as { tracking_number: string };
    expect(second.tracking_number).not.toBe(first.tracking_number);
    // The key now belongs to the new event, for the next 24 hours.
    const again = (await (await sendEvent(api, mailbox, body, { 'idempotency-key': 'old-key' })).json()) as {
      tracking_number: string;
    };
    expect(again.tracking_number).toBe(second.tracking_number);
  });

  test('an unrouted event is answered unrouted again', async () => {
    const filtered = await createMailbox(api, {
      name: 'Filtered',
      target_url: 'http://127.0.0.1:9/x',
      event_types: ['invoice.*'],
    });
    const first = await sendEvent(api, filtered, { event: 'order.created' }, { 'idempotency-key': 'u-1' });
    const again = await sendEvent(api, filtered, { event: 'order.created' }, { 'idempotency-key': 'u-1' });
    const [a, b] = [(await first.json()) as { status: string }, (await again.json()) as { status: string }];
    expect(b).toEqual(a);
  });
});

describe('a hundred copies at once, at two api processes', () => {
  test('store exactly one event, and every copy gets its tracking number', async () => {
    const body = JSON.stringify({ event: 'order.created', data: { order_id: 'ORD-100' } });
    const send = (baseUrl: string) =>
      fetch(`${baseUrl}/webhooks/${mailbox.id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': mailbox.api_key, 'idempotency-key': 'burst-100' },
        body,
      });
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) => send(i % 2 === 0 ? api.baseUrl : secondApiUrl)),
    );
    const answers = await Promise.all(responses.map(async (r) => ({ status: r.status, body: await r.json() })));
    expect(answers.map((a) => a.status)).toEqual(Array(100).fill(202));
    const trackingNumbers = new Set(answers.map((a) => (a.body as { tracking_number: string }).tracking_number));
    expect(trackingNumbers.size).toBe(1);
    expect(await eventsWithKey('burst-100')).toBe(1);
    const [trackingNumber] = [...trackingNumbers];
    const event = await eventByTracking(api, trackingNumber!);
    expect(event.body).toBe(body);
    expect(event.deliveries).toHaveLength(1);
    const payload = encodeURIComponent('data.order_id=ORD-100');
    expect(await listAll(api, `/api/webhooks?mailbox_id=${mailbox.id}&payload=${payload}`)).toHaveLength(1);
  });

  test('with different keys, each is stored once', async () => {
    const before = await eventsOfMailbox();
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        fetch(`${i % 2 === 0 ? api.baseUrl : secondApiUrl}/webhooks/${mailbox.id}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-api-key': mailbox.api_key,
            'idempotency-key': `pair-${i % 50}`,
          },
          body: JSON.stringify({ event: 'order.created', n: i % 50 }),
        }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(100).fill(202));
    expect((await eventsOfMailbox()) - before).toBe(50);
    const jobs = await jobNamings();
    expect(jobs.namings).toBe(jobs.stored);
    expect(jobs.named).toBe(jobs.stored);
  });

  test('with a new key each, every event is stored and every delivery has one job', async () => {
    const before = await eventsOfMailbox();
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        fetch(`${i % 2 === 0 ? api.baseUrl : secondApiUrl}/webhooks/${mailbox.id}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': mailbox.api_key, 'idempotency-key': `new-${i}` },
          body: JSON.stringify({ event: 'order.created', n: i }),
        }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(100).fill(202));
    expect((await eventsOfMailbox()) - before).toBe(100);
    const jobs = await jobNamings();
    expect(jobs.namings).toBe(jobs.stored);
    expect(jobs.named).toBe(jobs.stored);
  });
});

describe('a bad key', () => {
  test.each([
    ['too long', 'x'.repeat(256)],
    ['not printable ASCII', 'clé'],
    ['a tab inside', 'a\tb'],
  ])('%s is refused with 400 and writes nothing', async (_why, key) => {
    const events = await db.count('event');
    const keys = await db.count('event', 'idempotency_key is not null');
    const response = await fetch(`${api.baseUrl}/webhooks/${mailbox.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': mailbox.api_key, 'idempotency-key': key },
      body: '{"event":"order.created"}',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('invalid_idempotency_key');
    expect(await db.count('event')).toBe(events);
    expect(await db.count('event', 'idempotency_key is not null')).toBe(keys);
  });
});

describe('test events sent with an idempotency key', () => {
  const SEND = `mutation($id: ID!, $key: String, $body: String) {
    sendTestEvent(endpointId: $id, idempotencyKey: $key, body: $body) { event { trackingNumber } delivery { id } } }`;

  test('the same test again returns the first one; another body with the key is refused', async () => {
    const variables = { id: mailbox.endpoint_id, key: 'test-once' };
    const first = await gqlData(api, SEND, variables);
    const events = await db.count('event');
    const again = await gqlData(api, SEND, variables);
    expect(again).toEqual(first);
    expect(await db.count('event')).toBe(events);

    const other = await gql(api, SEND, { ...variables, body: '{"ping":2}' });
    expect(errorCodes(other)).toEqual(['idempotency_key_reused']);
    expect(await db.count('event')).toBe(events);
  });

  test("the key of one endpoint's test event is refused for another endpoint of the mailbox", async () => {
    const created = await api.api(`/api/mailboxes/${mailbox.id}/endpoints`, {
      method: 'POST',
      json: { url: 'http://127.0.0.1:9/second' },
    });
    expect(created.status).toBe(201);
    const second = (await created.json()) as { id: string };
    await gqlData(api, SEND, { id: mailbox.endpoint_id, key: 'test-per-endpoint' });
    const events = await db.count('event');
    const refused = await gql(api, SEND, { id: second.id, key: 'test-per-endpoint' });
    expect(errorCodes(refused)).toEqual(['idempotency_key_reused']);
    expect(await db.count('event')).toBe(events);
  });

  test('a bad key is refused and sends nothing', async () => {
    const events = await db.count('event');
    const refused = await gql(api, SEND, { id: mailbox.endpoint_id, key: 'x'.repeat(256) });
    expect(errorCodes(refused)).toEqual(['invalid_idempotency_key']);
    expect(await db.count('event')).toBe(events);
  });
});
