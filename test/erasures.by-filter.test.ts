/**
 * Bulk erasure (a data-subject request): an admin erases every event of a mailbox whose
 * JSON field equals the subject's id. Exactly those events are erased, by the one-event
 * rule, in the background with progress: afterwards their payloads cannot be read over
 * REST, GraphQL, the dashboard's own queries or its export, nor in any attempt's captured
 * response; tombstones keep the tracking numbers. Other events (of this mailbox or
 * another) are untouched. Callers without the admin role, empty and bad filters are
 * refused and write nothing. A few thousand events erase in batches; a cancel stops it.
 */
import { print, type DocumentNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { createAccessToken } from '../server/auth/accessTokens.ts';
import * as dashboard from '../web/src/generated/graphql.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { errorCodes, gql, gqlData, subscribeSse } from './support/graphql.ts';
import {
  createMailbox,
  sendEvent,
  startTestHookpost,
  type CreatedMailbox,
  type TestHookpost,
} from './support/hookpost.ts';
import { startReceiver, type Receiver } from './support/receiver.ts';

/** The data subject's personal data, in every one of their events. */
const SECRET = 'jane.doe@example.com';
const SUBJECT = { path: 'data.subject_id', equals: 'S-1' };

let db: TestDatabase;
let hookpost: TestHookpost;
let receiver: Receiver;
let people: CreatedMailbox;
let others: CreatedMailbox;
let viewerToken: string;
let operatorToken: string;

const waitFor = <T>(check: () => Promise<T> | T, timeout = 60_000) => vi.waitFor(check, { timeout, interval: 150 });

async function send(mailbox: CreatedMailbox, body: unknown): Promise<string> {
  const response = await sendEvent(hookpost, mailbox, body);
  expect(response.status).toBe(202);
  return ((await response.json()) as { tracking_number: string }).tracking_number;
}

/** Sends `count` events, a few at a time. */
async function sendMany(mailbox: CreatedMailbox, count: number, body: (i: number) => unknown): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < count; start += 25) {
    const batch = Array.from({ length: Math.min(25, count - start) }, (_, j) => send(mailbox, body(start + j)));
    ids.push(...(await Promise.all(batch)));
  }
  return ids;
}

/** Rows anywhere in Hookpost's tables that still hold `text` for these events. */
async function rowsHolding(eventIds: string[], text: string): Promise<number> {
  const { rows } = await db.pool.query<{ n: string }>(
    `select (select count(*) from event where id = any($1::uuid[]) and position(convert_to($2, 'UTF8') in body) > 0)
          + (select count(*) from event_search where event_id = any($1::uuid[]) and array_to_string(terms, ' ') like '%' || $2 || '%')
          + (select count(*) from attempt a join delivery d on d.id = a.delivery_id
              where d.event_id = any($1::uuid[]) and (position(convert_to($2, 'UTF8') in coalesce(a.response_body, '')) > 0
                                                      or a.response_headers::text like '%' || $2 || '%'
                                                      or a.request_headers::text like '%' || $2 || '%'))
          + (select count(*) from event where id = any($1::uuid[]) and idempotency_key is not null) as n`,
    [eventIds, text],
  );
  return Number(rows[0]!.n);
}

async function erasureOf(id: string) {
  const response = await hookpost.api(`/api/erasures/${id}`);
  expect(response.status).toBe(200);
  return (await response.json()) as { status: string; matched: number; erased: number; in_flight: number };
}

async function counts() {
  return {
    erasures: await db.count('erasure'),
    audit: await db.count('audit_entry', `action like 'erasure.%'`),
    erased: await db.count('event', 'erased_at is not null'),
  };
}

beforeAll(async () => {
  db = await createTestDatabase();
  receiver = await startReceiver();
  // Receivers that echo what they got: the captured responses hold the payload too.
  receiver.reply((request) => ({
    status: request.path === '/later' ? 503 : 200,
    body: request.body,
    headers: { 'x-echo': request.body.toString('utf8').slice(0, 200) },
  }));
  hookpost = await startTestHookpost(db.url, { workerPollIntervalMs: 100, erasurePerSecond: 500 });
  people = await createMailbox(hookpost, {
    name: 'People',
    target_url: `${receiver.url}/ok`,
    event_types: ['person.*'],
  });
  // A receiver that keeps failing, retried in an hour: its deliveries are waiting when the erasure comes.
  const later = await hookpost.api(`/api/mailboxes/${people.id}/endpoints`, {
    method: 'POST',
    json: {
      url: `${receiver.url}/later`,
      event_types: ['person.*'],
      retry_policy: { max_attempts: 3, base_delay_ms: 3_600_000 },
    },
  });
  expect(later.status).toBe(201);
  others = await createMailbox(hookpost, { name: 'Others', target_url: `${receiver.url}/ok` });
  const admin = { tokenId: 'test', name: 'test', role: 'admin' as const };
  viewerToken = (await createAccessToken(hookpost.runtime, admin, { name: 'viewer', role: 'viewer' })).token;
  operatorToken = (await createAccessToken(hookpost.runtime, admin, { name: 'operator', role: 'operator' })).token;
}, 120_000);

afterAll(async () => {
  await hookpost?.stop();
  await receiver?.close();
  await db?.drop();
});

describe("erasing a data subject's events by a JSON field", () => {
  test('erases exactly the matching events, by the one-event rule, and their payload is unreadable everywhere', async () => {
    const subject = [
      await send(people, { event: 'person.created', data: { subject_id: 'S-1', email: SECRET } }),
      await send(people, { event: 'person.updated', data: { subject_id: 'S-1', email: SECRET, n: 2 } }),
      await send(people, { event: 'person.updated', data: { subject_id: 'S-1', email: SECRET, n: 3 } }),
    ];
    const someoneElse = await send(people, { event: 'person.updated', data: { subject_id: 'S-2', email: 'x@y.z' } });
    // The same subject id in another mailbox: not this erasure's.
    const otherMailbox = await send(others, { event: 'person.updated', data: { subject_id: 'S-1', email: SECRET } });
    const all = [...subject, someoneElse];
    // Delivered (echoed back) to /ok, failed once and waiting an hour at /later.
    await waitFor(async () =>
      expect(
        await db.count('attempt a join delivery d on d.id = a.delivery_id', `d.event_id = any('{${all.join(',')}}')`),
      ).toBe(8),
    );
    await waitFor(async () => expect(await db.count('delivery', `status = 'delivering'`)).toBe(0));
    expect(await rowsHolding(subject, SECRET)).toBeGreaterThan(0);

    const preview = await hookpost.api(`/api/mailboxes/${people.id}/erasures/preview`, {
      method: 'POST',
      json: { payload: [SUBJECT] },
    });
    expect(await preview.json()).toEqual({ count: 3 });

    const started = await hookpost.api(`/api/mailboxes/${people.id}/erasures`, {
      method: 'POST',
      json: { payload: [SUBJECT], expected_count: 3 },
    });
    expect(started.status).toBe(202);
    const erasure = (await started.json()) as { id: string; matched: number; status: string; mailbox_id: string };
    expect(erasure).toMatchObject({ matched: 3, mailbox_id: people.id });

    await waitFor(async () => expect(await erasureOf(erasure.id)).toMatchObject({ status: 'finished', erased: 3 }));
    const { erasure: overGraphql } = await gqlData(
      hookpost,
      `query($id: ID!) { erasure(id: $id) { status matched erased inFlight createdBy createdAt finishedAt mailboxId } }`,
      { id: erasure.id },
    );
    expect(overGraphql).toMatchObject({
      status: 'finished',
      matched: 3,
      erased: 3,
      inFlight: 0,
      createdBy: 'HOOKPOST_ADMIN_TOKEN',
    });
    expect(overGraphql.finishedAt).not.toBeNull();

    // Nothing of the payload is left in any table, captured responses included.
    expect(await rowsHolding(subject, SECRET)).toBe(0);
    expect(await rowsHolding(subject, 'S-1')).toBe(0);
    // Tombstones: the tracking numbers stay, erased; what could still send them is cancelled.
    for (const trackingNumber of subject) {
      const response = await hookpost.api(`/api/webhooks/${trackingNumber}`);
      expect(response.status).toBe(200);
      const text = await response.text();
      expect(text).not.toContain(SECRET);
      const detail = JSON.parse(text) as { erased_at: string | null; body: string; deliveries: { status: string }[] };
      expect(detail.erased_at).not.toBeNull();
      expect(detail.body).toBe('');
      expect(detail.deliveries.map((d) => d.status).sort()).toEqual(['cancelled', 'delivered']);
    }
    // REST lists and search by content find nothing of it.
    const list = await hookpost.api(`/api/webhooks?mailbox_id=${people.id}&limit=100`);
    expect(await list.text()).not.toContain(SECRET);
    const search = await hookpost.api(`/api/webhooks?mailbox_id=${people.id}&payload=data.subject_id%3DS-1`);
    expect(await search.json()).toEqual([]);
    // The dashboard's own queries: the event page, the events list, and the export.
    for (const trackingNumber of subject) {
      const detail = await gql(hookpost, print(dashboard.EventDetailDocument as DocumentNode), { trackingNumber });
      expect(detail.errors).toBeUndefined();
      expect(JSON.stringify(detail)).not.toContain(SECRET);
      expect(detail.data.event).toMatchObject({ trackingNumber, body: '' });
      expect(detail.data.event.erasedAt).not.toBeNull();
    }
    const filter = { mailboxId: people.id };
    for (const document of [dashboard.EventsPageDocument, dashboard.ExportEventsDocument]) {
      const result = await gql(hookpost, print(document as DocumentNode), { filter, first: 100 });
      expect(result.errors).toBeUndefined();
      expect(JSON.stringify(result)).not.toContain(SECRET);
    }
    const exported = await gqlData(hookpost, print(dashboard.ExportEventsDocument as DocumentNode), {
      filter,
      first: 100,
    });
    expect(exported.events.edges.map((edge: { node: { trackingNumber: string } }) => edge.node.trackingNumber)).toEqual(
      expect.arrayContaining(subject),
    );

    // The others are intact: their bodies, captured responses and searchability.
    for (const trackingNumber of [someoneElse, otherMailbox]) {
      const detail = (await (await hookpost.api(`/api/webhooks/${trackingNumber}`)).json()) as {
        erased_at: string | null;
        body: string;
      };
      expect(detail.erased_at).toBeNull();
      expect(detail.body).toContain('subject_id');
    }
    expect(await rowsHolding([otherMailbox], SECRET)).toBeGreaterThan(0);
    const stillFound = await hookpost.api(`/api/webhooks?mailbox_id=${others.id}&payload=data.subject_id%3DS-1`);
    expect(((await stillFound.json()) as unknown[]).length).toBe(1);

    // Recorded: who started it, with what filter and how many matched.
    const { rows: audit } = await db.pool.query(
      `select actor_name, summary from audit_entry where action = 'erasure.start' and target_id = $1`,
      [erasure.id],
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor_name: 'HOOKPOST_ADMIN_TOKEN',
      summary: { mailboxId: people.id, matched: 3 },
    });
    const listed = await hookpost.api(`/api/mailboxes/${people.id}/erasures`);
    expect(((await listed.json()) as { id: string }[]).map((row) => row.id)).toContain(erasure.id);
  });

  test('over GraphQL, with progress pushed live to a subscriber', async () => {
    // Of a type no endpoint takes: stored, not delivered, so no attempt is in flight to wait for.
    const tracked = await sendMany(people, 300, (i) => ({ event: 'tracked.row', data: { subject_id: 'S-3', i } }));
    const { erasurePreview } = await gqlData(
      hookpost,
      `query($m: ID!, $f: ErasureFilter) { erasurePreview(mailboxId: $m, filter: $f) }`,
      { m: people.id, f: { payload: [{ path: 'data.subject_id', equals: 'S-3' }], eventTypes: ['tracked.*'] } },
    );
    expect(erasurePreview).toBe(300);
    const live = subscribeSse(hookpost, `subscription { erasureUpdated { erasures { id status erased matched } } }`);
    const start = (subject: string, expectedCount: number) =>
      gqlData(
        hookpost,
        `mutation($m: ID!, $f: ErasureFilter, $n: Int) { startErasure(mailboxId: $m, filter: $f, expectedCount: $n) { id matched status } }`,
        { m: people.id, f: { payload: [{ path: 'data.subject_id', equals: subject }] }, n: expectedCount },
      );
    const finishedPushed = (id: string) => (received: { data?: any }[]) =>
      received.some((payload) =>
        payload.data?.erasureUpdated.erasures.some(
          (e: { id: string; status: string }) => e.id === id && e.status === 'finished',
        ),
      );
    try {
      // The subscription is in place once it pushed something: an erasure of nothing, at once finished.
      await vi.waitFor(
        async () => {
          const { startErasure: ping } = await start('nobody', 0);
          await live.until(finishedPushed(ping.id), 2_000);
        },
        { timeout: 30_000 },
      );
      const { startErasure } = await start('S-3', 300);
      expect(startErasure).toMatchObject({ matched: 300, status: 'running' });
      const payloads = await live.until(finishedPushed(startErasure.id), 60_000);
      const progress = payloads
        .flatMap((payload) => payload.data?.erasureUpdated.erasures ?? [])
        .filter((e: { id: string }) => e.id === startErasure.id)
        .map((e: { erased: number }) => e.erased);
      // Batches of 100, a fifth of a second apart: progress was pushed between the start and the end.
      expect(progress.at(-1)).toBe(300);
      expect(progress.some((erased: number) => erased > 0 && erased < 300)).toBe(true);
    } finally {
      await live.close();
    }
    expect(await db.count('event', `id = any('{${tracked.join(',')}}') and erased_at is null`)).toBe(0);
  });

  test('an event with an attempt in flight is erased once the attempt ends, not before', async () => {
    receiver.reply((request) => (request.path === '/ok' ? { hang: true } : { status: 503 }));
    const held = await send(people, { event: 'person.held', data: { subject_id: 'S-4', email: SECRET } });
    await waitFor(async () =>
      expect(await db.count('delivery', `event_id = '${held}' and status = 'delivering'`)).toBe(1),
    );
    const { startErasure } = await gqlData(
      hookpost,
      `mutation($m: ID!) { startErasure(mailboxId: $m, filter: { payload: [{ path: "data.subject_id", equals: "S-4" }] }) { id matched } }`,
      { m: people.id },
    );
    expect(startErasure.matched).toBe(1);
    await waitFor(async () =>
      expect(await erasureOf(startErasure.id)).toMatchObject({ status: 'running', in_flight: 1 }),
    );
    expect(await rowsHolding([held], SECRET)).toBeGreaterThan(0);
    // The attempt ends (the receiver answers): the next pass erases the event.
    await receiver.close();
    receiver = await startReceiver({ status: 200 });
    await waitFor(async () =>
      expect(await erasureOf(startErasure.id)).toMatchObject({ status: 'finished', erased: 1 }),
    );
    expect(await rowsHolding([held], SECRET)).toBe(0);
    expect(await db.count('delivery', `event_id = '${held}' and status in ('queued', 'held', 'delivering')`)).toBe(0);
  });
});

describe('refusals write nothing', () => {
  test('a viewer or operator may not preview, start, read or cancel one', async () => {
    const before = await counts();
    for (const token of [viewerToken, operatorToken]) {
      for (const [path, json] of [
        [`/api/mailboxes/${people.id}/erasures/preview`, { payload: [SUBJECT] }],
        [`/api/mailboxes/${people.id}/erasures`, { payload: [SUBJECT] }],
      ] as const) {
        const response = await hookpost.api(path, { method: 'POST', json, token });
        expect(response.status).toBe(403);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe('forbidden');
      }
      expect((await hookpost.api(`/api/mailboxes/${people.id}/erasures`, { token })).status).toBe(403);
      const someErasure = '018f3c2a-0000-7000-8000-000000000000';
      expect((await hookpost.api(`/api/erasures/${someErasure}`, { token })).status).toBe(403);
      expect((await hookpost.api(`/api/erasures/${someErasure}/cancel`, { method: 'POST', token })).status).toBe(403);
      const graphql = await gql(
        hookpost,
        `mutation($m: ID!) { startErasure(mailboxId: $m, filter: { payload: [{ path: "data.subject_id", equals: "S-2" }] }) { id } }`,
        { m: people.id },
        { token },
      );
      expect(errorCodes(graphql)).toEqual(['forbidden']);
    }
    expect(await counts()).toEqual(before);
  });

  test('an empty, match-everything or malformed filter is refused with 422, an unknown mailbox with 404', async () => {
    const before = await counts();
    const start = (json: unknown, mailboxId = people.id) =>
      hookpost.api(`/api/mailboxes/${mailboxId}/erasures`, { method: 'POST', json });
    for (const json of [
      {},
      { event_types: ['*'] },
      { status: ['queued', 'delivering', 'delivered', 'failed', 'cancelled', 'unrouted'] },
      { everything: false },
      { payload: [{ path: '', equals: 'S-2' }] },
      { payload: [{ path: 'data.subject_id', equals: 'S-2', extra: 1 }] },
      { paylod: [SUBJECT] },
      { mailbox_id: others.id, payload: [SUBJECT] },
      { received_since: 'yesterday', payload: [SUBJECT] },
      { received_since: '2999-01-01T00:00:00Z' },
      { received_since: '2026-01-02T00:00:00Z', received_until: '2026-01-01T00:00:00Z' },
      { tracking_number_prefix: 'xyz' },
      { payload: [SUBJECT], expected_count: -1 },
    ]) {
      const response = await start(json);
      expect(response.status, JSON.stringify(json)).toBe(422);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('validation_failed');
    }
    const everything = await start({});
    expect(((await everything.json()) as { error: { message: string } }).error.message).toMatch(/everything/);
    for (const mailboxId of ['01234567-89ab-7def-8123-456789abcdef', 'not-a-uuid']) {
      const response = await start({ payload: [SUBJECT] }, mailboxId);
      expect(response.status).toBe(404);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('not_found');
    }
    // More matching than the caller confirmed: nothing starts.
    const confirmed = await start({ payload: [{ path: 'data.subject_id', equals: 'S-2' }], expected_count: 0 });
    expect(confirmed.status).toBe(409);
    expect(((await confirmed.json()) as { error: { code: string } }).error.code).toBe('conflict');
    // GraphQL refuses the same way.
    const graphql = await gql(hookpost, `mutation($m: ID!) { startErasure(mailboxId: $m) { id } }`, { m: people.id });
    expect(errorCodes(graphql)).toEqual(['validation_failed']);
    const badPath = await gql(
      hookpost,
      `mutation($m: ID!) { startErasure(mailboxId: $m, filter: { trackingNumberPrefix: "xyz" }) { id } }`,
      { m: people.id },
    );
    expect(errorCodes(badPath)).toEqual(['validation_failed']);
    expect(await counts()).toEqual(before);
  });
});

describe('a large erasure', () => {
  test('a few thousand events erase in batches, and everything: true takes a whole mailbox', async () => {
    const bulk = await createMailbox(hookpost, {
      name: 'Bulk',
      target_url: `${receiver.url}/ok`,
      event_types: ['none'],
    });
    const matching = await sendMany(bulk, 2_500, (i) => ({ event: 'row', data: { tenant: 'T-9', i } }));
    const kept = await sendMany(bulk, 200, (i) => ({ event: 'row', data: { tenant: 'T-1', i } }));
    const started = await hookpost.api(`/api/mailboxes/${bulk.id}/erasures`, {
      method: 'POST',
      json: { payload: [{ path: 'data.tenant', equals: 'T-9' }] },
    });
    const { id, matched } = (await started.json()) as { id: string; matched: number };
    expect(matched).toBe(2_500);
    const seen = new Set<number>();
    await waitFor(async () => {
      const now = await erasureOf(id);
      seen.add(now.erased);
      expect(now).toMatchObject({ status: 'finished', erased: 2_500 });
    }, 120_000);
    // Batches of 100: the count moved in steps, never all at once.
    expect([...seen].every((erased) => erased % 100 === 0)).toBe(true);
    expect([...seen].some((erased) => erased > 0 && erased < 2_500)).toBe(true);
    expect(await db.count('event', `id = any('{${matching.join(',')}}') and erased_at is null`)).toBe(0);
    expect(await db.count('event', `id = any('{${kept.join(',')}}') and erased_at is null`)).toBe(200);

    // The whole mailbox, said explicitly.
    const whole = await hookpost.api(`/api/mailboxes/${bulk.id}/erasures`, {
      method: 'POST',
      json: { everything: true },
    });
    expect(whole.status).toBe(202);
    const wholeId = ((await whole.json()) as { id: string; matched: number }).id;
    await waitFor(async () => expect(await erasureOf(wholeId)).toMatchObject({ status: 'finished', erased: 200 }));
    expect(await db.count('event', `mailbox_id = '${bulk.id}' and erased_at is null`)).toBe(0);
  }, 240_000);

  test('a cancelled erasure stops: what it erased stays erased, the rest is intact', async () => {
    const bulk = await createMailbox(hookpost, {
      name: 'Cancel',
      target_url: `${receiver.url}/ok`,
      event_types: ['none'],
    });
    await sendMany(bulk, 1_500, (i) => ({ event: 'row', data: { tenant: 'T-5', i } }));
    const started = await hookpost.api(`/api/mailboxes/${bulk.id}/erasures`, {
      method: 'POST',
      json: { payload: [{ path: 'data.tenant', equals: 'T-5' }] },
    });
    const { id } = (await started.json()) as { id: string };
    const cancelled = await hookpost.api(`/api/erasures/${id}/cancel`, { method: 'POST' });
    expect(cancelled.status).toBe(200);
    expect(await cancelled.json()).toMatchObject({ status: 'cancelled' });
    // Any batch that had begun commits or not; after it, nothing moves.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const after = await erasureOf(id);
    expect(after.status).toBe('cancelled');
    expect(after.erased).toBeLessThan(1_500);
    const erasedNow = await db.count('event', `mailbox_id = '${bulk.id}' and erased_at is not null`);
    expect(erasedNow).toBe(after.erased);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await db.count('event', `mailbox_id = '${bulk.id}' and erased_at is not null`)).toBe(erasedNow);
    expect(await db.count('audit_entry', `action = 'erasure.cancel' and target_id = '${id}'`)).toBe(1);
  }, 120_000);
});
