import { describe, expect, test } from 'vitest';
import { MAX_TERMS, payloadTerms, termsMatching } from './payloadTerms.ts';

describe('payload terms', () => {
  test('every scalar field is a path and its JSON value', () => {
    expect(
      payloadTerms({ event: 'order.created', data: { order_id: 'ORD-100', amount: 299.99, paid: true, note: null } }),
    ).toEqual([
      'event="order.created"',
      'data.order_id="ORD-100"',
      'data.amount=299.99',
      'data.paid=true',
      'data.note=null',
    ]);
  });

  test('array items take their array path', () => {
    expect(payloadTerms({ items: [{ sku: 'A' }, { sku: 'B' }, { sku: 'A' }], tags: ['x'] })).toEqual([
      'items.sku="A"',
      'items.sku="B"',
      'tags="x"',
    ]);
  });

  test('a body that is a bare value has no fields', () => {
    expect(payloadTerms('just text')).toEqual([]);
    expect(payloadTerms(null)).toEqual([]);
  });

  test('bounded: long values, keys with a NUL and fields past the limit are left out', () => {
    const many = Object.fromEntries(Array.from({ length: MAX_TERMS + 50 }, (_, i) => [`k${i}`, i]));
    expect(payloadTerms(many)).toHaveLength(MAX_TERMS);
    expect(payloadTerms({ long: 'x'.repeat(1000), 'n\u0000': 1, ok: 1 })).toEqual(['ok=1']);
  });

  test('values are JSON text, escapes included; a lone surrogate in a key is made whole', () => {
    expect(payloadTerms({ nul: 'a\u0000b', odd: '\ud800' })).toEqual(['nul="a\\u0000b"', 'odd="\\ud800"']);
    expect(payloadTerms({ '\ud800': 1 })).toEqual(['\ufffd=1']);
  });

  test('a search value finds the string, and the number, boolean or null it spells', () => {
    expect(termsMatching('data.order_id', 'ORD-100')).toEqual(['data.order_id="ORD-100"']);
    expect(termsMatching('data.n', '100')).toEqual(['data.n="100"', 'data.n=100']);
    expect(termsMatching('data.paid', 'true')).toEqual(['data.paid="true"', 'data.paid=true']);
  });
});
