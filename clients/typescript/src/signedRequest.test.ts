import { Webhook } from 'standardwebhooks';
import { describe, expect, test } from 'vitest';
import { generateSigningSecret, signatureHeaders } from '../../../server/delivery/signature.ts';
import { signedRequest } from './signedRequest.ts';

describe('the signed request `hookpost listen` forwards', () => {
  const secret = generateSigningSecret();
  const body = '{"event":"order.completed","data":{"name":"Zoë"}}';

  test('the independent standardwebhooks package verifies it, byte for byte', () => {
    const request = signedRequest({
      deliveryId: '0193a5b4-1f01-7a2b-b4c5-d6e7f8091a2b',
      contentType: 'application/json',
      body,
      bodyEncoding: 'utf8',
      secret,
      customHeaders: { 'X-Team': 'fulfilment' },
    });
    expect(Buffer.from(request.body).toString('utf8')).toBe(body);
    expect(new Webhook(secret).verify(Buffer.from(request.body).toString('utf8'), request.headers)).toEqual(
      JSON.parse(body),
    );
    expect(request.headers).toMatchObject({
      'content-type': 'application/json',
      'webhook-id': '0193a5b4-1f01-7a2b-b4c5-d6e7f8091a2b',
      'x-team': 'fulfilment',
    });
  });

  test('its signature is the one Hookpost’s worker makes for the same delivery, time and body', () => {
    const signedAt = new Date('2026-11-28T10:20:02Z');
    const request = signedRequest({
      deliveryId: 'd1',
      contentType: 'text/plain',
      body: Buffer.from('héllo').toString('base64'),
      bodyEncoding: 'base64',
      secret,
      signedAt,
    });
    const worker = signatureHeaders({
      messageId: 'd1',
      timestampSeconds: signedAt.getTime() / 1000,
      body: Buffer.from('héllo'),
      secrets: [secret],
    });
    expect(request.headers).toMatchObject(worker);
  });

  test('another secret or a changed body does not verify', () => {
    const request = signedRequest({
      deliveryId: 'd2',
      contentType: 'application/json',
      body,
      bodyEncoding: 'utf8',
      secret,
    });
    expect(() => new Webhook(generateSigningSecret()).verify(body, request.headers)).toThrow();
    expect(() => new Webhook(secret).verify(body.replace('Zoë', 'Zoe'), request.headers)).toThrow();
  });
});
