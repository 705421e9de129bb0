import { Webhook } from 'standardwebhooks';
import { describe, expect, test } from 'vitest';
import { generateSigningSecret, isSigningSecret, signatureHeaders } from './signature.ts';

describe('Standard Webhooks signatures', () => {
  test('the independent standardwebhooks package verifies what we sign, byte for byte', () => {
    const secret = generateSigningSecret();
    const body = Buffer.from('{"event":"order.created","data":{"total":99.99,"name":"Zoë"}}');
    const timestampSeconds = Math.floor(Date.now() / 1000);
    const headers = signatureHeaders({ messageId: 'msg_1', timestampSeconds, body, secrets: [secret] });
    const verified = new Webhook(secret).verify(body.toString('utf8'), headers);
    expect(verified).toEqual(JSON.parse(body.toString('utf8')));
  });

  test('during a rotation every live secret signs, so either verifies', () => {
    const [oldSecret, newSecret] = [generateSigningSecret(), generateSigningSecret()];
    const body = Buffer.from('{"a":1}');
    const headers = signatureHeaders({
      messageId: 'msg_2',
      timestampSeconds: Math.floor(Date.now() / 1000),
      body,
      secrets: [newSecret, oldSecret],
    });
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(() => new Webhook(oldSecret).verify(body.toString(), headers)).not.toThrow();
    expect(() => new Webhook(newSecret).verify(body.toString(), headers)).not.toThrow();
  });

  test('a changed body or another secret does not verify', () => {
    const secret = generateSigningSecret();
    const headers = signatureHeaders({
      messageId: 'msg_3',
      timestampSeconds: Math.floor(Date.now() / 1000),
      body: Buffer.from('{"a":1}'),
      secrets: [secret],
    });
    expect(() => new Webhook(secret).verify('{"a":2}', headers)).toThrow();
    expect(() => new Webhook(generateSigningSecret()).verify('{"a":1}', headers)).toThrow();
  });

  test('secrets are whsec_ with 32 random bytes', () => {
    const secret = generateSigningSecret();
    expect(isSigningSecret(secret)).toBe(true);
    expect(isSigningSecret('whsec_short')).toBe(false);
    expect(isSigningSecret('nope')).toBe(false);
  });
});
