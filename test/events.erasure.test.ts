/**
 * Erasure: an admin erases one event; its payload can no longer be read anywhere (REST,
 * GraphQL, the attempts' captured responses, the idempotency key's hash), its waiting
 * and failed deliveries are cancelled so nothing sends or replays it, and a tombstone
 * keeps the tracking number and the fact of the erasure.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAccessToken } from '../server/auth/accessTokens.ts';
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
import { startReceiver, type Receiver } from './support/receiver.ts';

const SECRET = 'SSN-123-45-6789';

let db: TestDatabase;
let hookpost: TestHookpost;
let receiver: Receiver;
let mailbox: CreatedMailbox;
let operatorToken: string;

async function send(event: string, headers: Record<string, string> = {}) {
  const response = await sendEvent(hookpost, mailbox, { event, data: { subject: SECRET } }, headers);
  expect(response.status).toBe(202);
  return ((await response.json()) as { tracking_number: string }).tracking_number;
}

async function waitFor(check: () => Promise<boolean>) {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('Timed out.');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The event's failed deliveries, as the dead-letter queue lists them. */
const deadLetters = (trackingNumber: string) =>
  listAll(hookpost, `/api/dead-letters?tracking_number_prefix=${trackingNumber}`);

/** Rows anywhere in Hookpost's tables that still hold the secret. */
async function secretsLeft(eventId: string): Promise<number> {
  const { rows } = await db.pool.query<{ n: number }>(
    `select (select count(*) from event where id = $1 and position(convert_to($2, 'UTF8') in body) > 0)
          + (select count(*) from event_search where event_id = $1 and array_to_string(terms, ' ') like '%' || $2 || '%')
          + (select count(*) from attempt a join delivery d on d.id = a.delivery_id
              where d.event_id = $1 and (position(convert_to($2, 'UTF8') in coalesce(a.response_body, '')) > 0
                                         or a.response_headers::text like '%' || $2 || '%'))
          + (select count(*) from event where id = $1 and idempotency_key is not null)
          + (select count(*) from event where id = $1 and ordering_key = $2)
          + (select count(*) from delivery where event_id = $1 and ordering_key = $2) as n`,
    [eventId, SECRET],
  );
  return Number(rows[0]!.n);
}

beforeAll(async () => {
  db = await createTestDatabase();
  receiver = await startReceiver();
  // Receivers that echo what they got: the captured response holds the payload too.
  receiver.reply((request) => ({
    status: request.path === '/fails' ? 500 : request.path === '/later' ? 503 : 200,
    body: request.body,
    headers: { 'x-echo': request.body.toString('utf8').slice(0, 100) },
  }));
  hookpost = await startTestHookpost(db.url, { workerPollIntervalMs: 100 });
  mailbox = await createMailbox(hookpost, {
    name: 'People',
    target_url: `${receiver.url}/ok`,
    event_types: ['person.*'],
  });
  for (const [path, retry] of [
    ['/fails', { max_attempts: 1 }],
    ['/later', { max_attempts: 3, base_delay_ms: 3_600_000 }],
  ] as const) {
    const added = await hookpost.api(`/api/mailboxes/${mailbox.id}/endpoints`, {
      method: 'POST',
      json: { url: `${receiver.url}${path}`, event_types: ['person.*'], retry_policy: retry },
    });
    expect(added.status).toBe(201);
  }
  operatorToken = (
    await createAccessToken(
      hookpost.runtime,
      { tokenId: 'test', name: 'test', role: 'admin' },
      { name: 'operator', role: 'operator' },
    )
  ).token;
}, 60_000);

afterAll(async () => {
  await hookpost?.stop();
  await receiver?.close();
  await db?.drop();
});

describe('erasing an event', () => {
  test('leaves nothing of its payload readable, cancels what could still send it, and keeps a tombstone', async () => {
    // The subject's id as its ordering key too: producers often order by customer.
    const trackingNumber = await send('person.updated', { 'idempotency-key': 'person-1', 'x-ordering-key': SECRET });
    // One delivered (echoed), one failed (a dead letter), one waiting an hour for its retry.
    await waitFor(async () => {
      const { deliveries } = await eventByTracking(hookpost, trackingNumber);
      return (
        deliveries.flatMap((delivery) => delivery.attempts).length === 3 &&
        deliveries.every((delivery) => delivery.status !== 'delivering')
      );
    });
    expect(await secretsLeft(trackingNumber)).toBeGreaterThan(0);
    expect(await deadLetters(trackingNumber)).toHaveLength(1);

    const refused = await hookpost.api(`/api/webhooks/${trackingNumber}`, { method: 'DELETE', token: operatorToken });
    expect(refused.status).toBe(403);
    expect(await secretsLeft(trackingNumber)).toBeGreaterThan(0);

    const erased = await hookpost.api(`/api/webhooks/${trackingNumber}`, { method: 'DELETE' });
    expect(erased.status).toBe(200);
    const tombstone = (await erased.json()) as { tracking_number: string; erased_at: string };
    expect(tombstone.tracking_number).toBe(trackingNumber);
    expect(await secretsLeft(trackingNumber)).toBe(0);

    // REST: the event is there, erased, without its body or captured responses.
    const detail = await (await hookpost.api(`/api/webhooks/${trackingNumber}`)).text();
    expect(detail).not.toContain(SECRET);
    const read = JSON.parse(detail) as {
      erased_at: string;
      body: string;
      deliveries: { status: string; attempts: { response_body: string | null }[] }[];
    };
    expect(read).toMatchObject({ erased_at: tombstone.erased_at, body: '' });
    expect(read.deliveries.map((d) => d.status).sort()).toEqual(['cancelled', 'cancelled', 'delivered']);
    // GraphQL, the dashboard's source, says the same.
    const graphql = await gql(
      hookpost,
      `query($tn: ID!) { event(trackingNumber: $tn) { body erasedAt status deliveries { edges { node { status attempts { edges { node { responseBody } } } } } } } }`,
      { tn: trackingNumber },
    );
    expect(JSON.stringify(graphql)).not.toContain(SECRET);
    expect(graphql.data.event).toMatchObject({ body: '', erasedAt: tombstone.erased_at });
    // Nothing is left to send or replay; the counters agree with the deliveries.
    expect(await deadLetters(trackingNumber)).toEqual([]);
    expect(
      await db.count(
        'event',
        `id = '${trackingNumber}' and pending_count = 0 and cancelled_count = 2 and failed_count = 0`,
      ),
    ).toBe(1);
    expect((await hookpost.api(`/api/webhooks/${trackingNumber}/retry`, { method: 'POST' })).status).toBe(404);
    // The same key again is a new event now: the old one's hash is gone with it.
    const again = await sendEvent(
      hookpost,
      mailbox,
      { event: 'person.updated', data: { subject: SECRET } },
      { 'idempotency-key': 'person-1' },
    );
    expect(((await again.json()) as { tracking_number: string }).tracking_number).not.toBe(trackingNumber);
    // Recorded, and erasing again answers the same.
    const audited = await listAll(hookpost, `/api/audit-log?action=event.erase&target_id=${trackingNumber}`);
    expect(audited).toHaveLength(1);
    const twice = await hookpost.api(`/api/webhooks/${trackingNumber}`, { method: 'DELETE' });
    expect(await twice.json()).toEqual(tombstone);
  });

  test('over GraphQL too, for admins only', async () => {
    const trackingNumber = await send('person.deleted');
    await waitFor(async () =>
      (await eventByTracking(hookpost, trackingNumber)).deliveries.every(
        (delivery) => delivery.status !== 'delivering' && delivery.attempt_count > 0,
      ),
    );
    const ERASE = `mutation($tn: ID!) { eraseEvent(trackingNumber: $tn) { trackingNumber erasedAt body } }`;
    expect(errorCodes(await gql(hookpost, ERASE, { tn: trackingNumber }, { token: operatorToken }))).toEqual([
      'forbidden',
    ]);
    const { eraseEvent } = await gqlData(hookpost, ERASE, { tn: trackingNumber });
    expect(eraseEvent).toMatchObject({ trackingNumber, body: '' });
    expect(eraseEvent.erasedAt).not.toBeNull();
    expect(await secretsLeft(trackingNumber)).toBe(0);
  });

  test('an unknown or malformed tracking number is not found and changes nothing', async () => {
    for (const id of ['01234567-89ab-7def-8123-456789abcdef', 'not-a-uuid']) {
      const response = await hookpost.api(`/api/webhooks/${id}`, { method: 'DELETE' });
      expect(response.status).toBe(404);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('not_found');
    }
  });
});
