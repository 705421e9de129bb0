import { describe, expect, test } from 'vitest';
import {
  deliveryOrderingKey,
  orderingKeyAt,
  orderingKeyFieldProblem,
  parseOrderingKey,
  storedEventOrderingKey,
} from './orderingKey.ts';

describe('the x-ordering-key header', () => {
  test('absent is no key; a printable one up to 255 characters is the key', () => {
    expect(parseOrderingKey(undefined)).toBeUndefined();
    expect(parseOrderingKey('customer-42')).toBe('customer-42');
    expect(parseOrderingKey('k'.repeat(255))).toBe('k'.repeat(255));
  });

  test.each([[''], ['k'.repeat(256)], ['tab\there'], ['naïve'], [['a', 'b']]])(
    'refuses %j with invalid_ordering_key',
    (header) => {
      expect(() => parseOrderingKey(header)).toThrow(
        expect.objectContaining({ code: 'invalid_ordering_key', status: 400 }),
      );
    },
  );
});

describe('an endpoint ordering_key_field', () => {
  test('names fields joined by dots', () => {
    expect(orderingKeyFieldProblem('data.customer_id')).toBeNull();
    expect(orderingKeyFieldProblem('customer')).toBeNull();
    expect(orderingKeyFieldProblem('data..id')).toMatch(/field names/);
    expect(orderingKeyFieldProblem('data[0]')).toMatch(/field names/);
    expect(orderingKeyFieldProblem('a.b.c.d.e.f.g.h.i')).toMatch(/at most 8/);
  });

  test('reads a string or a whole number; anything else is no key', () => {
    const body = { data: { customer_id: 'C-1', n: 42, x: 1.5, o: {}, e: '', l: 'k'.repeat(256), c: 'a\nb' } };
    expect(orderingKeyAt(body, 'data.customer_id')).toBe('C-1');
    expect(orderingKeyAt(body, 'data.n')).toBe('42');
    for (const path of ['data.x', 'data.o', 'data.e', 'data.l', 'data.c', 'data.missing', 'data.customer_id.deeper']) {
      expect(orderingKeyAt(body, path)).toBeUndefined();
    }
    expect(orderingKeyAt(null, 'data')).toBeUndefined();
    expect(orderingKeyAt({ data: ['C-1'] }, 'data.0')).toBeUndefined();
    expect(orderingKeyAt({}, 'constructor')).toBeUndefined();
  });
});

describe('which key a delivery is ordered by', () => {
  const json = { data: { customer_id: 'C-1' } };
  test('none unless the endpoint is ordered by key', () => {
    expect(
      deliveryOrderingKey({ orderedByKey: false, orderingKeyField: 'data.customer_id' }, { orderingKey: 'h', json }),
    ).toBeNull();
  });
  test('the header first, then the endpoint field, else none', () => {
    const endpoint = { orderedByKey: true, orderingKeyField: 'data.customer_id' };
    expect(deliveryOrderingKey(endpoint, { orderingKey: 'h', json })).toBe('h');
    expect(deliveryOrderingKey(endpoint, { orderingKey: undefined, json })).toBe('C-1');
    expect(deliveryOrderingKey(endpoint, { orderingKey: undefined, json: {} })).toBeNull();
    expect(
      deliveryOrderingKey({ orderedByKey: true, orderingKeyField: null }, { orderingKey: undefined, json }),
    ).toBeNull();
  });
});

describe('a stored event delivered anew (a resend, a missed event)', () => {
  const endpoint = { orderedByKey: true, orderingKeyField: 'data.customer_id' };
  const body = Buffer.from(JSON.stringify({ data: { customer_id: 'C-1' } }));
  test('takes the key ingest would have given', () => {
    expect(storedEventOrderingKey(endpoint, { orderingKey: 'h', contentType: 'application/json', body })).toBe('h');
    expect(storedEventOrderingKey(endpoint, { orderingKey: null, contentType: 'application/json', body })).toBe('C-1');
    expect(
      storedEventOrderingKey(endpoint, { orderingKey: null, contentType: 'application/cloudevents+json', body }),
    ).toBe('C-1');
  });
  test('none from a body that is not JSON, an erased one, or on an endpoint not ordered', () => {
    expect(storedEventOrderingKey(endpoint, { orderingKey: null, contentType: 'text/plain', body })).toBeNull();
    expect(
      storedEventOrderingKey(endpoint, { orderingKey: null, contentType: 'application/json', body: null }),
    ).toBeNull();
    expect(
      storedEventOrderingKey(endpoint, { orderingKey: null, contentType: 'application/json', body: Buffer.alloc(0) }),
    ).toBeNull();
    expect(
      storedEventOrderingKey(
        { orderedByKey: false, orderingKeyField: null },
        { orderingKey: 'h', contentType: 'application/json', body },
      ),
    ).toBeNull();
  });
});
