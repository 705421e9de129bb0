/**
 * Finding events by what they contain and how their deliveries went: a JSON field equal
 * to a value (through the GIN-indexed payload terms), the latest HTTP status or error kind
 * of a delivery; the same over GraphQL and REST, and the same refusal for a bad filter.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { errorCodes, gql, gqlData } from './support/graphql.ts';
import { createMailbox, sendEvent, type CreatedMailbox } from './support/hookpost.ts';
import { useHookpost, useReceiver } from './support/hooks.ts';

const receiver = useReceiver();
const { db, hookpost } = useHookpost({ workerPollIntervalMs: 100 });
let shop: CreatedMailbox;
let broken: CreatedMailbox;
const sent: Record<string, string> = {};

async function send(mailbox: CreatedMailbox, name: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await sendEvent(hookpost, mailbox, body, headers);
  expect(response.status).toBe(202);
  sent[name] = ((await response.json()) as { tracking_number: string }).tracking_number;
}

const EVENTS = `query($filter: EventFilter) { events(filter: $filter, first: 50) { edges { node { trackingNumber } } } }`;
async function viaGraphql(filter: Record<string, unknown>): Promise<string[]> {
  const data = await gqlData(hookpost, EVENTS, { filter });
  return data.events.edges.map((edge: { node: { trackingNumber: string } }) => edge.node.trackingNumber).sort();
}
async function viaRest(query: string): Promise<string[]> {
  const response = await hookpost.api(`/api/webhooks?${query}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { tracking_number: string }[]).map((event) => event.tracking_number).sort();
}
const ids = (...names: string[]) => names.map((name) => sent[name]!).sort();

beforeAll(async () => {
  receiver.reply((request) => (request.path === '/fails' ? { status: 500, body: 'no' } : { status: 200, body: 'ok' }));
  shop = await createMailbox(hookpost, { name: 'Shop', target_url: `${receiver.url}/ok` });
  broken = await createMailbox(hookpost, { name: 'Broken', target_url: `${receiver.url}/fails` });
  const patched = await hookpost.api(`/api/endpoints/${broken.endpoint_id}`, {
    method: 'PATCH',
    json: { retry_policy: { max_attempts: 1 } },
  });
  expect(patched.status).toBe(200);

  await send(shop, 'ord100', {
    event: 'order.created',
    data: { order_id: 'ORD-100', amount: 100, items: [{ sku: 'A' }, { sku: 'B' }] },
  });
  await send(shop, 'ord101', {
    event: 'order.created',
    data: { order_id: 'ORD-101', amount: '100', items: [{ sku: 'B' }] },
  });
  await send(shop, 'ord100paid', { event: 'order.paid', data: { order_id: 'ORD-100', paid: true } });
  await send(shop, 'text', 'data.order_id=ORD-100 "ORD-100"', { 'content-type': 'text/plain' });
  await send(broken, 'failing', { event: 'order.created', data: { order_id: 'ORD-200' } });

  const deadline = Date.now() + 20_000;
  while ((await db.count('delivery', `status not in ('delivered', 'failed')`)) > 0) {
    if (Date.now() > deadline) throw new Error('Deliveries did not settle.');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}, 60_000);

describe('search by content', () => {
  test('a JSON field equal to a value finds exactly the events that have it', async () => {
    const filter = { payload: [{ path: 'data.order_id', equals: 'ORD-100' }] };
    expect(await viaGraphql(filter)).toEqual(ids('ord100', 'ord100paid'));
    expect(await viaRest(`payload=${encodeURIComponent('data.order_id=ORD-100')}`)).toEqual(
      ids('ord100', 'ord100paid'),
    );
  });

  test('several fields must all match; array items match by their array path', async () => {
    const both = [
      { path: 'data.order_id', equals: 'ORD-100' },
      { path: 'event', equals: 'order.paid' },
    ];
    expect(await viaGraphql({ payload: both })).toEqual(ids('ord100paid'));
    expect(await viaGraphql({ payload: [{ path: 'data.items.sku', equals: 'B' }] })).toEqual(ids('ord100', 'ord101'));
    expect(await viaGraphql({ payload: [{ path: 'data.paid', equals: 'true' }] })).toEqual(ids('ord100paid'));
  });

  test('a value that spells a number finds the number and the string', async () => {
    expect(await viaRest('payload=data.amount%3D100')).toEqual(ids('ord100', 'ord101'));
  });

  test('combines with the other filters', async () => {
    expect(
      await viaGraphql({ payload: [{ path: 'data.order_id', equals: 'ORD-100' }], eventTypes: ['order.created'] }),
    ).toEqual(ids('ord100'));
    expect(await viaGraphql({ payload: [{ path: 'data.order_id', equals: 'ORD-100' }], mailboxId: broken.id })).toEqual(
      [],
    );
  });

  test('by the HTTP status and error kind of their deliveries', async () => {
    expect(await viaGraphql({ deliveryStatusCode: 500 })).toEqual(ids('failing'));
    expect(await viaRest('delivery_status_code=500')).toEqual(ids('failing'));
    expect(await viaGraphql({ deliveryErrorKind: 'http_status' })).toEqual(ids('failing'));
    expect(await viaRest('delivery_error_kind=http_status')).toEqual(ids('failing'));
    expect(await viaGraphql({ deliveryStatusCode: 200 })).toEqual(ids('ord100', 'ord101', 'ord100paid', 'text'));
  });

  test('the field lookup is answered by the GIN index', async () => {
    const client = await db.pool.connect();
    try {
      await client.query('set enable_seqscan = off');
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(
        `explain select event_id from event_search where terms && array['data.order_id="ORD-100"']`,
      );
      expect(rows.map((row) => row['QUERY PLAN']).join('\n')).toContain('event_search_terms_gin_idx');
    } finally {
      await client.query('reset enable_seqscan');
      client.release();
    }
  });

  test('a bad filter is refused the same way over both APIs', async () => {
    const refused = await hookpost.api(`/api/webhooks?payload=${encodeURIComponent('.order_id=ORD-100')}`);
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('validation_failed');
    const noPath = await hookpost.api(`/api/webhooks?payload=ORD-100`);
    expect(noPath.status).toBe(422);
    expect(errorCodes(await gql(hookpost, EVENTS, { filter: { payload: [{ path: 'a..b', equals: 'x' }] } }))).toEqual([
      'validation_failed',
    ]);
    expect(errorCodes(await gql(hookpost, EVENTS, { filter: { deliveryStatusCode: 42 } }))).toEqual([
      'validation_failed',
    ]);
  });
});
