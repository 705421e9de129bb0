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

  test('an HTTP status and an error kind search the latest attempt of a delivery', () => {
    expect(parseSearch('status:503')).toMatchObject({ deliveryStatusCode: 503, problems: [] });
    expect(parseSearch('http:500').deliveryStatusCode).toBe(500);
    // Three digits alone are a status, not the start of a tracking number (those begin 01…).
    expect(parseSearch('503')).toMatchObject({ deliveryStatusCode: 503, trackingNumberPrefix: undefined });
    expect(parseSearch('0190').trackingNumberPrefix).toBe('0190');
    expect(parseSearch('error:timeout')).toMatchObject({ deliveryErrorKind: 'timeout', problems: [] });
    expect(parseSearch('kind:Connection_Refused').deliveryErrorKind).toBe('connection_refused');
  });

  test('a field and a value search the payload, with : or =, quotes keeping spaces', () => {
    expect(parseSearch('data.order_id:ORD-1')).toMatchObject({
      payload: [{ path: 'data.order_id', equals: 'ORD-1' }],
      problems: [],
    });
    expect(parseSearch('customer_id=42 data.name:"Jane Doe"').payload).toEqual([
      { path: 'customer_id', equals: '42' },
      { path: 'data.name', equals: 'Jane Doe' },
    ]);
    // A value may hold colons or equals signs: only the first one splits.
    expect(parseSearch('data.url:https://a.example/x?y=1').payload).toEqual([
      { path: 'data.url', equals: 'https://a.example/x?y=1' },
    ]);
    expect(parseSearch('order.* data.order_id:ORD-1 status:500')).toMatchObject({
      eventTypes: ['order.*'],
      payload: [{ path: 'data.order_id', equals: 'ORD-1' }],
      deliveryStatusCode: 500,
    });
  });

  test('what cannot be searched says why and how, and is not sent to the server', () => {
    const orderId = parseSearch('ORD-001');
    expect(orderId.terms).toEqual([]);
    expect(orderId.problems[0]!.message).toMatch(/say which field holds it, like data.order_id:ORD-001/);
    expect(parseSearch('status:5000').problems[0]!.message).toMatch(/100 to 599/);
    expect(parseSearch('error:slow').problems[0]!.message).toMatch(/timeout/);
    expect(parseSearch('data..id:1').problems[0]!.message).toMatch(/keys joined by dots/);
    expect(parseSearch('data.id:').problems[0]!.message).toMatch(/should equal/);
    expect(parseSearch('tn:xyz').problems[0]!.message).toMatch(/0–9/);
    expect(parseSearch('héllo!').problems).toHaveLength(1);
    expect(parseSearch('status:500 status:503')).toMatchObject({
      deliveryStatusCode: 500,
      problems: [{ message: expect.stringMatching(/One HTTP status at a time/) }],
    });
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

  test('event types are sent once each, at most 20 of them, box and search together, each at most 255 characters', () => {
    expect(parseSearch('order.* order.* invoice.paid', ['invoice.paid']).eventTypes).toEqual([
      'invoice.paid',
      'order.*',
    ]);
    const many = Array.from({ length: 25 }, (_, n) => `type${n}.created`);
    const capped = parseSearch(many.join(' '));
    expect(capped.eventTypes).toEqual(many.slice(0, 20));
    expect(capped.problems).toEqual([
      { text: 'type20.created', message: 'At most 20 event types at a time: the first 20 are used.' },
    ]);
    const together = parseSearch(many.slice(15, 25).join(' '), many.slice(0, 15));
    expect(together.eventTypes).toEqual(many.slice(0, 20));
    expect(together.problems).toHaveLength(1);
    const long = `order.${'x'.repeat(250)}`;
    expect(parseSearch(`${long} ping`)).toMatchObject({
      eventTypes: ['ping'],
      problems: [{ text: long, message: 'An event type is at most 255 characters.' }],
    });
    expect(parseSearch('ping', [long])).toMatchObject({
      eventTypes: ['ping'],
      problems: [{ message: expect.stringMatching(/at most 255 characters: not used/) }],
    });
  });

  test('a crafted ?q= is read up to 2,000 characters and 50 words, saying so', () => {
    const huge = Array.from({ length: 100_000 }, (_, n) => `data.f${n}:v`).join(' ');
    const parsed = parseSearch(huge);
    expect(parsed.terms.length).toBeLessThanOrEqual(50);
    expect(parsed.payload.length).toBeLessThanOrEqual(20);
    expect(parsed.problems.map((problem) => problem.message)).toEqual(
      expect.arrayContaining([
        'A search is at most 2,000 characters: the rest is not used.',
        'A search is at most 50 words: the first 50 are used.',
      ]),
    );
    expect(parsed.problems.length).toBeLessThanOrEqual(5);
  });
});
