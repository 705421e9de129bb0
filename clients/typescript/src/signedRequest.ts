/**
 * The request an endpoint receives for a delivery, rebuilt from the event: its body
 * byte for byte with its Content-Type, the endpoint's custom headers, and a Standard
 * Webhooks signature by the endpoint's secret with the delivery id as `webhook-id`, as
 * Hookpost's worker signs each attempt (server/delivery/signature.ts). `hookpost listen`
 * forwards it; a receiver verifies it with the endpoint's real secret.
 */
import { createHmac } from 'node:crypto';

const SECRET_PREFIX = 'whsec_';
/** What Hookpost's worker sends as its user agent; a forwarded request says it came through the CLI. */
export const FORWARDED_USER_AGENT = 'Hookpost/0.1 (hookpost listen)';

export interface SignedRequest {
  headers: Record<string, string>;
  body: Uint8Array<ArrayBuffer>;
}

export interface SignedRequestInput {
  /** The delivery id: `webhook-id`. */
  deliveryId: string;
  contentType: string;
  /** The event body as the API gives it, and how (`utf8` text or `base64`). */
  body: string;
  bodyEncoding: 'utf8' | 'base64';
  /** The endpoint's `whsec_` secret. */
  secret: string;
  /** The endpoint's custom headers. */
  customHeaders?: Record<string, string>;
  /** When the request is signed (now, as for every attempt). */
  signedAt?: Date;
}

export function signatureOf(secret: string, id: string, timestampSeconds: number, body: Uint8Array): string {
  const key = Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
  // Over the bytes, not a decoded string: a body that is not UTF-8 must verify too.
  return `v1,${createHmac('sha256', key).update(`${id}.${timestampSeconds}.`).update(body).digest('base64')}`;
}

export function signedRequest(input: SignedRequestInput): SignedRequest {
  const body = new Uint8Array(Buffer.from(input.body, input.bodyEncoding === 'base64' ? 'base64' : 'utf8'));
  const timestamp = Math.floor((input.signedAt ?? new Date()).getTime() / 1000);
  const custom = Object.fromEntries(
    Object.entries(input.customHeaders ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
  );
  return {
    body,
    headers: {
      ...custom,
      'content-type': input.contentType,
      'user-agent': FORWARDED_USER_AGENT,
      'webhook-id': input.deliveryId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signatureOf(input.secret, input.deliveryId, timestamp, body),
    },
  };
}
