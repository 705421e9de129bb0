import { complexityFromQuery } from '@pothos/plugin-complexity';
import { describe, expect, test } from 'vitest';
import { BODY_COST, pageSize } from './queryCost.ts';
import { QUERY_LIMITS } from './queryLimits.ts';
import { schema } from './schema/index.ts';

const cost = (query: string, variables: Record<string, unknown> = {}) =>
  complexityFromQuery(query, { schema, variables }).complexity;

describe('query cost', () => {
  test('a page costs its requested size, the default page when none is asked for', () => {
    expect(pageSize({ first: 10 })).toBe(10);
    expect(pageSize({ last: 7 })).toBe(7);
    expect(pageSize({})).toBe(50);
    expect(pageSize({ first: 1_000 })).toBe(100);
    expect(pageSize({ first: -1 })).toBe(0);
  });

  test('columns are free, each object is one, and a page multiplies what its items select', () => {
    expect(cost('{ events(first: 10) { edges { node { id status } } } }')).toBe(1 + 10 * 1);
    expect(cost('{ events(first: 10) { edges { node { id mailbox { name } } } pageInfo { hasNextPage } } }')).toBe(
      1 + 10 * 2,
    );
    expect(cost('query($n: Int) { events(first: $n) { edges { node { id } } } }', { n: 3 })).toBe(1 + 3);
  });

  test("an event's body costs ten: the most expensive nested read of bodies the limit allows has 2,000 of them", () => {
    expect(cost('{ events(first: 10) { edges { node { id body } } } }')).toBe(1 + 10 * (1 + BODY_COST));
    // bodyEncoding reads the whole body too (to tell UTF-8 from binary): asked alone, it
    // loaded 10,100 bodies of up to 1 MiB for a cost of 10,201, under even the heavy mark.
    expect(cost('{ events(first: 10) { edges { node { id bodyEncoding } } } }')).toBe(1 + 10 * (1 + BODY_COST));
    expect(cost('{ events(first: 10) { edges { node { id body bodyEncoding } } } }')).toBe(
      1 + 10 * (1 + 2 * BODY_COST),
    );
    const nested = (inner: number) =>
      `{ events(first: 100) { edges { node { id body mailbox { events(first: ${inner}) { edges { node { id body eventType receivedAt mailbox { name } } } } } } } } }`;
    // 100 events and their mailboxes' 19 latest: 100 + 1,900 bodies.
    expect(cost(nested(19))).toBe(1 + 100 * (3 + BODY_COST + 19 * (2 + BODY_COST)));
    expect(cost(nested(19))).toBeLessThanOrEqual(QUERY_LIMITS.cost);
    expect(cost(nested(20))).toBeGreaterThan(QUERY_LIMITS.cost);
  });

  test('nested pages multiply', () => {
    expect(cost('{ events(first: 10) { edges { node { deliveries(first: 5) { edges { node { id } } } } } } }')).toBe(
      1 + 10 * (1 + 1 + 5 * 1),
    );
  });

  test('headers come with their row', () => {
    expect(
      cost(
        '{ delivery(id: "0190a5b0-0000-7000-8000-000000000000") { attempts(first: 2) { edges { node { requestHeaders { name } responseHeaders { name } } } } } }',
      ),
    ).toBe(1 + 1 + 2 * 1);
  });

  test('a live payload counts as its largest batch', () => {
    expect(cost('subscription { eventReceived { events { id } } }')).toBe(1 + 100 * 1);
  });
});
