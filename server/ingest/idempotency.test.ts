import { describe, expect, test } from 'vitest';
import { AppError } from '../errors.ts';
import { answerRepeat, identityOf, lockOrder, parseIdempotencyKey, sameEvent } from './idempotency.ts';

describe('idempotency keys', () => {
  test('no header means no key', () => {
    expect(parseIdempotencyKey(undefined)).toBeUndefined();
  });

  test.each(['a', 'order-100/created', ' spaced key ', 'x'.repeat(255), '~!@#$%^&*()'])('%s is a key', (key) => {
    expect(parseIdempotencyKey(key)).toBe(key);
  });

  test.each([
    ['', 'empty'],
    ['x'.repeat(256), 'too long'],
    ['clé', 'not ASCII'],
    ['a\tb', 'a control character'],
  ])('%s is refused (%s)', (key) => {
    expect(() => parseIdempotencyKey(key)).toThrow(
      expect.objectContaining({ code: 'invalid_idempotency_key', status: 400 }),
    );
  });

  test('several headers are refused', () => {
    expect(() => parseIdempotencyKey(['a', 'b'])).toThrow(AppError);
  });

  const event: { body: Buffer; eventType: string | null; contentType: string; orderingKey: string | null } = {
    body: Buffer.from('{"a":1}'),
    eventType: 'order.created',
    contentType: 'application/json',
    orderingKey: null,
  };

  test('a repeat of the same event gets the original event', () => {
    const original = { eventId: 'e1', routed: false, identity: identityOf(event) };
    expect(answerRepeat('k', identityOf({ ...event, body: Buffer.from('{"a":1}') }), original)).toEqual({
      trackingNumber: 'e1',
      routed: false,
    });
  });

  test('a repeat of another event is refused with 409', () => {
    const original = { eventId: 'e1', routed: true, identity: identityOf(event) };
    expect(() => answerRepeat('k', identityOf({ ...event, body: Buffer.from('{"a":2}') }), original)).toThrow(
      expect.objectContaining({ code: 'idempotency_key_reused', status: 409 }),
    );
  });

  test('events are the same when body, type, media type and ordering key are', () => {
    const same = (other: Partial<typeof event>) => sameEvent(identityOf(event), identityOf({ ...event, ...other }));
    expect(same({})).toBe(true);
    expect(same({ contentType: ' Application/JSON ' })).toBe(true);
    expect(
      sameEvent(
        identityOf({ ...event, contentType: 'application/json; charset=utf-8' }),
        identityOf({ ...event, contentType: 'Application/JSON;Charset=UTF-8' }),
      ),
    ).toBe(true);
    expect(
      sameEvent(
        identityOf({ ...event, contentType: 'text/plain; format=flowed' }),
        identityOf({ ...event, contentType: 'text/plain; format=Flowed' }),
      ),
    ).toBe(false);
    expect(same({ body: Buffer.from('{"a": 1}') })).toBe(false);
    expect(same({ eventType: 'order.updated' })).toBe(false);
    expect(same({ eventType: null })).toBe(false);
    expect(same({ contentType: 'text/plain' })).toBe(false);
    expect(same({ orderingKey: 'order-1' })).toBe(false);
  });

  test('a batch is inserted with its keys in one order, by mailbox and key, then the unkeyed', () => {
    const items = [
      { id: '1', mailboxId: 'm2', idempotencyKey: 'a' },
      { id: '2', mailboxId: 'm1', idempotencyKey: 'b' },
      { id: '3', mailboxId: 'm2', idempotencyKey: 'a' },
      { id: '4', mailboxId: 'm1' },
      { id: '5', mailboxId: 'm1', idempotencyKey: 'a' },
    ];
    expect(lockOrder(items).map((item) => item.id)).toEqual(['5', '2', '1', '3', '4']);
  });
});
