import { complexityFromQuery } from '@pothos/plugin-complexity';
import { describe, expect, test } from 'vitest';
import { pageSize } from './queryCost.ts';
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
    expect(cost('{ events(first: 10) { edges { node { id status body } } } }')).toBe(1 + 10 * 1);
    expect(cost('{ events(first: 10) { edges { node { id mailbox { name } } } pageInfo { hasNextPage } } }')).toBe(
      1 + 10 * 2,
    );
    expect(cost('query($n: Int) { events(first: $n) { edges { node { id } } } }', { n: 3 })).toBe(1 + 3);
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
