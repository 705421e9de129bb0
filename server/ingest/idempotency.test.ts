import { describe, expect, test } from 'vitest';
import { AppError } from '../errors.ts';
import { answerRepeat, bodyHash, firstClaims, parseIdempotencyKey, requestHash } from './idempotency.ts';

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

  test('a repeat with the same body gets the original event', () => {
    const hash = bodyHash(Buffer.from('{"a":1}'));
    expect(answerRepeat({ key: 'k', bodyHash: hash }, { bodyHash: hash, eventId: 'e1', routed: false })).toEqual({
      trackingNumber: 'e1',
      routed: false,
    });
  });

  test('a repeat with another body is refused with 409', () => {
    const claim = { key: 'k', bodyHash: bodyHash(Buffer.from('{"a":2}')) };
    const original = { bodyHash: bodyHash(Buffer.from('{"a":1}')), eventId: 'e1', routed: true };
    expect(() => answerRepeat(claim, original)).toThrow(
      expect.objectContaining({ code: 'idempotency_key_reused', status: 409 }),
    );
  });

  test('a request is compared on its body and the headers that make it another event', () => {
    const body = Buffer.from('{"a":1}');
    const none = { contentType: undefined, eventTypeHeader: undefined, orderingKey: undefined };
    // Plain JSON without type or key hashes as the body alone (keys stored before headers counted).
    expect(requestHash(body, none)).toEqual(bodyHash(body));
    expect(requestHash(body, { ...none, contentType: ' Application/JSON ' })).toEqual(bodyHash(body));
    const typed = requestHash(body, { ...none, eventTypeHeader: 'order.created' });
    expect(typed).not.toEqual(bodyHash(body));
    expect(requestHash(body, { ...none, eventTypeHeader: 'order.created' })).toEqual(typed);
    expect(requestHash(body, { ...none, orderingKey: 'order.created' })).not.toEqual(typed);
    expect(requestHash(body, { ...none, contentType: 'text/plain' })).not.toEqual(bodyHash(body));
    // Parts cannot run into each other.
    expect(requestHash(body, { ...none, eventTypeHeader: 'a', orderingKey: 'bc' })).not.toEqual(
      requestHash(body, { ...none, eventTypeHeader: 'ab', orderingKey: 'c' }),
    );
  });

  test('the first of each mailbox and key claims it, in a fixed order', () => {
    const hash = bodyHash(Buffer.alloc(0));
    const items = [
      { id: '1', mailboxId: 'm2', idempotency: { key: 'a', bodyHash: hash } },
      { id: '2', mailboxId: 'm1', idempotency: { key: 'b', bodyHash: hash } },
      { id: '3', mailboxId: 'm2', idempotency: { key: 'a', bodyHash: hash } },
      { id: '4', mailboxId: 'm1' },
      { id: '5', mailboxId: 'm1', idempotency: { key: 'a', bodyHash: hash } },
    ];
    expect(firstClaims(items).map((item) => item.id)).toEqual(['5', '2', '1']);
  });
});
