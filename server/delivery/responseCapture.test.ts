import { Readable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { flattenHeaders, readCapped, redactCustomHeaders, RESPONSE_BODY_CAP } from './responseCapture.ts';

describe('response capture', () => {
  test('small bodies are kept whole, bytes as received', async () => {
    const bytes = Buffer.from([0, 255, 1, 254, 0x7b]);
    expect(await readCapped(Readable.from([bytes]))).toEqual({ body: bytes, truncated: false });
  });

  test('bodies over 20 KiB are cut at 20 KiB and marked truncated', async () => {
    const chunks = Array.from({ length: 10 }, (_, i) => Buffer.alloc(5000, i));
    const { body, truncated } = await readCapped(Readable.from(chunks));
    expect(truncated).toBe(true);
    expect(body).toHaveLength(RESPONSE_BODY_CAP);
    expect(body.subarray(0, 20_000)).toEqual(Buffer.concat(chunks).subarray(0, 20_000));
  });

  test('a body of exactly the cap is not truncated', async () => {
    const { truncated } = await readCapped(Readable.from([Buffer.alloc(RESPONSE_BODY_CAP)]));
    expect(truncated).toBe(false);
  });

  test('headers are flattened to lower-case strings', () => {
    expect(flattenHeaders({ 'Set-Cookie': ['a=1', 'b=2'], 'X-A': 'b', gone: undefined })).toEqual({
      'set-cookie': 'a=1, b=2',
      'x-a': 'b',
    });
  });

  test("every custom header value is redacted, whatever its name; Hookpost's own headers are kept", () => {
    const sent = {
      authorization: 'Bearer s3cret',
      'x-credentials': 'hunter2',
      'x-tenant': 'acme',
      'webhook-signature': 'v1,abc',
    };
    expect(redactCustomHeaders(sent, ['Authorization', 'X-Credentials', 'X-Tenant'])).toEqual({
      authorization: '[redacted]',
      'x-credentials': '[redacted]',
      'x-tenant': '[redacted]',
      'webhook-signature': 'v1,abc',
    });
  });
});
