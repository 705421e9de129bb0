import { describe, expect, test } from 'vitest';
import { generateSigningSecret, signatureHeaders } from '../../../server/delivery/signature.ts';
import { verifyWebhook, WebhookVerificationError } from './verifyWebhook.ts';

/** A request as Hookpost's worker signs it. */
function signed(secrets: string[], body: string, at = new Date()) {
  return signatureHeaders({
    messageId: '0193a5b4-1f01-7a2b-b4c5-d6e7f8091a2b',
    timestampSeconds: Math.floor(at.getTime() / 1000),
    body: Buffer.from(body),
    secrets,
  });
}

describe('verifyWebhook', () => {
  const secret = generateSigningSecret();

  test('accepts what Hookpost signs, JSON or not, and gives the id to de-duplicate on', () => {
    for (const body of ['{"event":"order.completed"}', '<order id="ORD-001"/>', 'a=1&b=2']) {
      const verified = verifyWebhook(secret, Buffer.from(body), signed([secret], body));
      expect(verified).toMatchObject({ id: '0193a5b4-1f01-7a2b-b4c5-d6e7f8091a2b', body });
    }
  });

  test('reads Node and Fetch headers alike', () => {
    const body = '{"a":1}';
    expect(verifyWebhook(secret, body, new Headers(signed([secret], body))).body).toBe(body);
  });

  test('during a rotation, either secret verifies a request signed by both', () => {
    const next = generateSigningSecret();
    const body = '{"a":1}';
    const headers = signed([next, secret], body);
    expect(() => verifyWebhook(secret, body, headers)).not.toThrow();
    expect(() => verifyWebhook([generateSigningSecret(), next], body, headers)).not.toThrow();
  });

  test('refuses a changed body, another secret, no signature, and a timestamp over 5 minutes off', () => {
    const body = '{"a":1}';
    expect(() => verifyWebhook(secret, '{"a":2}', signed([secret], body))).toThrow(WebhookVerificationError);
    expect(() => verifyWebhook(generateSigningSecret(), body, signed([secret], body))).toThrow(
      WebhookVerificationError,
    );
    expect(() => verifyWebhook(secret, body, {})).toThrow(WebhookVerificationError);
    const sixMinutesAgo = new Date(Date.now() - 6 * 60_000);
    expect(() => verifyWebhook(secret, body, signed([secret], body, sixMinutesAgo))).toThrow(/too old/);
    const fourMinutesAgo = new Date(Date.now() - 4 * 60_000);
    expect(() => verifyWebhook(secret, body, signed([secret], body, fourMinutesAgo))).not.toThrow();
  });
});
