import { describe, expect, test } from 'vitest';
import { parseSearch } from './searchQuery.ts';

describe('the events search box', () => {
  test('hex digits are the start of a tracking number', () => {
    expect(parseSearch('018f3c2a-11')).toMatchObject({
      trackingNumberPrefix: '018f3c2a-11',
      eventTypes: [],
      problems: [],
    });
    expect(parseSearch(' 018F ').trackingNumberPrefix).toBe('018f');
  });

  test('names with letters, dots or * are event types; several are any of them', () => {
    expect(parseSearch('order.created')).toMatchObject({ eventTypes: ['order.created'], problems: [] });
    expect(parseSearch('order.* invoice.paid').eventTypes).toEqual(['order.*', 'invoice.paid']);
    expect(parseSearch('ping').eventTypes).toEqual(['ping']);
    // "cafe" is hex but has no digit: a word, not a tracking number.
    expect(parseSearch('cafe').eventTypes).toEqual(['cafe']);
  });

  test('prefixes say it explicitly', () => {
    expect(parseSearch('type:018f').eventTypes).toEqual(['018f']);
    expect(parseSearch('tn:abcdef').trackingNumberPrefix).toBe('abcdef');
  });

  test('an order id, an HTTP status or an error kind is explained, not sent to the server', () => {
    const orderId = parseSearch('ORD-001');
    expect(orderId.terms).toEqual([]);
    expect(orderId.problems[0]!.message).toMatch(/payload/);
    expect(parseSearch('status:500').problems[0]!.message).toMatch(/HTTP status is not available yet/);
    expect(parseSearch('error:timeout').problems[0]!.message).toMatch(/error kind/);
    expect(parseSearch('customer_id:42').problems[0]!.message).toMatch(/payload field “customer_id”/);
    expect(parseSearch('tn:xyz').problems[0]!.message).toMatch(/0–9/);
    expect(parseSearch('héllo!').problems).toHaveLength(1);
  });

  test('good words still count next to a bad one', () => {
    const parsed = parseSearch('order.* ORD-001');
    expect(parsed.eventTypes).toEqual(['order.*']);
    expect(parsed.problems).toHaveLength(1);
  });

  test('only one tracking number is searched at a time', () => {
    const parsed = parseSearch('018f 0190');
    expect(parsed.trackingNumberPrefix).toBe('018f');
    expect(parsed.problems[0]!.message).toMatch(/One tracking number/);
  });
});
