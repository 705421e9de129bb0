/**
 * Query.events: every filter, alone and together, and Relay pagination forwards and
 * backwards, over real deliveries made by the worker to a real receiver.
 */
import { beforeAll, describe, expect, test, vi } from 'vitest';
import { errorCodes, gql, gqlData } from './support/graphql.ts';
import { sendEvent } from './support/hookpost.ts';
import { useHookpost, useReceiver } from './support/hooks.ts';

const { hookpost } = useHookpost();
const receiver = useReceiver();
const ids: Record<string, string> = {};
let shop: { id: string; apiKey: string; all: string; payments: string };
let other: { id: string; apiKey: string };
let between: string;

const EVENTS = `query Events($filter: EventFilter, $first: Int, $after: String, $last: Int, $before: String) {
  events(filter: $filter, first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { trackingNumber eventType status } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

async function page(variables: Record<string, unknown>) {
  const data = await gqlData(hookpost, EVENTS, variables);
  return {
    numbers: data.events.edges.map(
      (edge: { node: { trackingNumber: string } }) => edge.node.trackingNumber,
    ) as string[],
    pageInfo: data.events.pageInfo,
  };
}
const names = (numbers: string[]) =>
  numbers.map((number) => Object.keys(ids).find((name) => ids[name] === number) ?? number);
const filtered = async (filter: Record<string, unknown>) => names((await page({ filter, first: 100 })).numbers);

async function send(name: string, mailbox: { id: string; apiKey: string }, body: unknown) {
  const response = await sendEvent(hookpost, { id: mailbox.id, api_key: mailbox.apiKey }, body);
  expect(response.status).toBe(202);
  ids[name] = (await response.json()).tracking_number;
}

beforeAll(async () => {
  receiver.reply((request) => (request.path === '/fail' ? { status: 500, body: 'down' } : { status: 200, body: 'ok' }));

  const created = await gqlData(
    hookpost,
    `mutation($url: String!) { createMailbox(input: {name: "Shop", targetUrl: $url}) { apiKey mailbox { id } endpoint { id } } }`,
    { url: `${receiver.url}/all` },
  );
  const payments = await gqlData(
    hookpost,
    `mutation($input: CreateEndpointInput!) { createEndpoint(input: $input) { endpoint { id } } }`,
    {
      input: {
        mailboxId: created.createMailbox.mailbox.id,
        url: `${receiver.url}/fail`,
        eventTypes: ['payment.*'],
        retryPolicy: { maxAttempts: 1 },
      },
    },
  );
  shop = {
    id: created.createMailbox.mailbox.id,
    apiKey: created.createMailbox.apiKey,
    all: created.createMailbox.endpoint.id,
    payments: payments.createEndpoint.endpoint.id,
  };
  const second = await gqlData(
    hookpost,
    `mutation($url: String!) { createMailbox(input: {name: "Other", targetUrl: $url, eventTypes: ["nothing.*"]}) { apiKey mailbox { id } } }`,
    { url: `${receiver.url}/other` },
  );
  other = { id: second.createMailbox.mailbox.id, apiKey: second.createMailbox.apiKey };

  await send('order1', shop, { event: 'order.created', n: 1 });
  await send('item', shop, { event: 'order.item.added' });
  await send('payment', shop, { event: 'payment.failed' });
  await new Promise((resolve) => setTimeout(resolve, 20));
  between = new Date().toISOString();
  await new Promise((resolve) => setTimeout(resolve, 20));
  await send('signup', shop, { event: 'user_signed.up' });
  await send('lookalike', shop, { event: 'userXsigned.up' });
  await send('untyped', shop, { hello: 'world' });
  await send('otherOrder', other, { event: 'order.created' });

  // Wait for the worker: everything ends delivered, failed or unrouted.
  await vi.waitFor(
    async () => {
      const statuses = (await gqlData(hookpost, EVENTS, { first: 100 })).events.edges.map(
        (edge: { node: { status: string } }) => edge.node.status,
      );
      expect(statuses.filter((status: string) => status === 'queued' || status === 'delivering')).toEqual([]);
    },
    { timeout: 15_000, interval: 100 },
  );
});

describe('Query.events filters', () => {
  test('without a filter, every event, newest first', async () => {
    expect(await filtered({})).toEqual(['otherOrder', 'untyped', 'lookalike', 'signup', 'payment', 'item', 'order1']);
  });

  test('by mailbox', async () => {
    expect(await filtered({ mailboxId: other.id })).toEqual(['otherOrder']);
    expect(await filtered({ mailboxId: shop.id })).toEqual([
      'untyped',
      'lookalike',
      'signup',
      'payment',
      'item',
      'order1',
    ]);
  });

  test('by endpoint: only events with a delivery to it', async () => {
    expect(await filtered({ endpointId: shop.payments })).toEqual(['payment']);
  });

  test('by status', async () => {
    expect(await filtered({ status: ['failed'] })).toEqual(['payment']);
    expect(await filtered({ status: ['unrouted'] })).toEqual(['otherOrder']);
    expect(await filtered({ status: ['failed', 'unrouted'] })).toEqual(['otherOrder', 'payment']);
  });

  test('by event type, with `*` wildcards and LIKE characters taken literally', async () => {
    expect(await filtered({ eventTypes: ['order.created'] })).toEqual(['otherOrder', 'order1']);
    expect(await filtered({ eventTypes: ['order.*'] })).toEqual(['otherOrder', 'item', 'order1']);
    expect(await filtered({ eventTypes: ['*.failed', 'order.item.*'] })).toEqual(['payment', 'item']);
    expect(await filtered({ eventTypes: ['user_signed.*'] })).toEqual(['signup']);
  });

  test('by time range (inclusive since, exclusive until)', async () => {
    expect(await filtered({ receivedSince: between })).toEqual(['otherOrder', 'untyped', 'lookalike', 'signup']);
    expect(await filtered({ receivedUntil: between })).toEqual(['payment', 'item', 'order1']);
    expect(
      await filtered({
        receivedSince: new Date(Date.parse(between) - 3_600_000).toISOString(),
        receivedUntil: between,
        mailboxId: other.id,
      }),
    ).toEqual([]);
  });

  test('by tracking-number prefix, hyphens and case ignored', async () => {
    const number = ids['payment']!;
    expect(await filtered({ trackingNumberPrefix: number.slice(0, 34).toUpperCase() })).toEqual(['payment']);
    expect(await filtered({ trackingNumberPrefix: number.replaceAll('-', '').slice(0, 30) })).toEqual(['payment']);
    const short = number.slice(0, 4);
    const all = (await page({ filter: { trackingNumberPrefix: short }, first: 100 })).numbers;
    expect(all.length).toBeGreaterThan(0);
    expect(all.every((n) => n.startsWith(short))).toBe(true);
  });

  test('by tracking numbers: exactly those events, newest first, at most 100', async () => {
    expect(await filtered({ trackingNumbers: [ids['order1']!, ids['payment']!] })).toEqual(['payment', 'order1']);
    expect(await filtered({ trackingNumbers: [ids['order1']!], status: ['failed'] })).toEqual([]);
    const tooMany = await gql(hookpost, EVENTS, {
      filter: { trackingNumbers: Array.from({ length: 101 }, () => ids['order1']!) },
      first: 5,
    });
    expect(errorCodes(tooMany)).toEqual(['validation_failed']);
  });

  test('several filters together must all match', async () => {
    expect(await filtered({ mailboxId: shop.id, status: ['delivered'], eventTypes: ['order.*'] })).toEqual([
      'item',
      'order1',
    ]);
  });

  test('bad filters are refused with validation_failed and say which field', async () => {
    for (const filter of [
      { mailboxId: 'not-a-uuid' },
      { eventTypes: ['bad pattern!'] },
      { trackingNumberPrefix: 'xyz' },
      { trackingNumbers: ['not-a-uuid'] },
      { receivedSince: between, receivedUntil: new Date(Date.parse(between) - 1000).toISOString() },
    ]) {
      const result = await gql(hookpost, EVENTS, { filter, first: 5 });
      expect(errorCodes(result), JSON.stringify(filter)).toEqual(['validation_failed']);
      expect(result.errors![0]!.message).toMatch(new RegExp(Object.keys(filter).pop()!));
    }
    const badDate = await gql(hookpost, EVENTS, { filter: { receivedSince: 'yesterday' } });
    expect(errorCodes(badDate)).toEqual(['validation_failed']);
  });
});

describe('Query.events pagination', () => {
  const shopFilter = () => ({ mailboxId: shop.id });

  test('forwards with first/after, to the end', async () => {
    const first = await page({ filter: shopFilter(), first: 2 });
    expect(names(first.numbers)).toEqual(['untyped', 'lookalike']);
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const second = await page({ filter: shopFilter(), first: 2, after: first.pageInfo.endCursor });
    expect(names(second.numbers)).toEqual(['signup', 'payment']);
    expect(second.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const third = await page({ filter: shopFilter(), first: 2, after: second.pageInfo.endCursor });
    expect(names(third.numbers)).toEqual(['item', 'order1']);
    expect(third.pageInfo.hasNextPage).toBe(false);
  });

  test('backwards with last/before, to the start', async () => {
    const last = await page({ filter: shopFilter(), last: 2 });
    expect(names(last.numbers)).toEqual(['item', 'order1']);
    expect(last.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    const before = await page({ filter: shopFilter(), last: 2, before: last.pageInfo.startCursor });
    expect(names(before.numbers)).toEqual(['signup', 'payment']);
    expect(before.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
    const start = await page({ filter: shopFilter(), last: 2, before: before.pageInfo.startCursor });
    expect(names(start.numbers)).toEqual(['untyped', 'lookalike']);
    expect(start.pageInfo.hasPreviousPage).toBe(false);
  });

  test('a page larger than 100 is refused, as in REST, not cut short', async () => {
    expect((await page({})).numbers).toHaveLength(7);
    expect(errorCodes(await gql(hookpost, EVENTS, { first: 1000 }))).toEqual(['validation_failed']);
    expect(errorCodes(await gql(hookpost, EVENTS, { last: 101 }))).toEqual(['validation_failed']);
    expect((await gql(hookpost, EVENTS, { first: 100 })).errors).toBeUndefined();
  });

  test('a cursor that is not one of this list is refused', async () => {
    expect(errorCodes(await gql(hookpost, EVENTS, { first: 2, after: 'garbage' }))).toEqual(['validation_failed']);
    expect(errorCodes(await gql(hookpost, EVENTS, { first: -1 }))).toEqual(['validation_failed']);
  });
});
