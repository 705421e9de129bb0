import { describe, expect, test } from 'vitest';
import { assertBodySize, bodyFormat } from './contentType.ts';
import { eventTypeOf } from './eventType.ts';

describe('accepted bodies', () => {
  test.each([
    ['application/json', 'json'],
    ['application/json; charset=utf-8', 'json'],
    ['Application/JSON', 'json'],
    ['application/cloudevents+json', 'json'],
    ['text/plain', 'text'],
    ['application/x-www-form-urlencoded', 'text'],
    ['application/xml', 'text'],
    ['application/soap+xml', 'text'],
  ])('%s is accepted as %s', (contentType, format) => {
    expect(bodyFormat(contentType)).toBe(format);
  });

  test.each([undefined, '', 'multipart/form-data; boundary=x', 'image/png', 'application/octet-stream'])(
    '%s is refused',
    (contentType) => {
      expect(bodyFormat(contentType)).toBeNull();
    },
  );
});

describe('event types', () => {
  test('the header wins over the body', () => {
    expect(eventTypeOf('invoice.paid', { event: 'order.created' })).toBe('invoice.paid');
  });

  test('read from `event`, else `type`', () => {
    expect(eventTypeOf(undefined, { event: 'order.created', type: 'x' })).toBe('order.created');
    expect(eventTypeOf(undefined, { type: 'user.deleted' })).toBe('user.deleted');
  });

  test('untyped when absent, not a string, or not an object body', () => {
    expect(eventTypeOf(undefined, { data: 1 })).toBeNull();
    expect(eventTypeOf(undefined, { event: 42 })).toBeNull();
    expect(eventTypeOf(undefined, [{ event: 'a' }])).toBeNull();
    expect(eventTypeOf(undefined, null)).toBeNull();
  });

  test('a malformed header is a validation error', () => {
    expect(() => eventTypeOf('has spaces', null)).toThrow(expect.objectContaining({ code: 'validation_failed' }));
  });
});

describe('body size', () => {
  test('a body of exactly the limit passes; one byte more is refused with payload_too_large', () => {
    expect(() => assertBodySize(Buffer.alloc(10), 10)).not.toThrow();
    expect(() => assertBodySize(Buffer.alloc(11), 10)).toThrow(expect.objectContaining({ code: 'payload_too_large' }));
  });
});
