/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): every request carries
 * `webhook-id`, `webhook-timestamp` and `webhook-signature: v1,<base64 HMAC-SHA256 of
 * "id.timestamp.body">`, one signature per live secret during a rotation.
 */
import { createHmac, randomBytes } from 'node:crypto';

const SECRET_PREFIX = 'whsec_';

export function generateSigningSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

export function isSigningSecret(value: string): boolean {
  if (!value.startsWith(SECRET_PREFIX)) return false;
  const key = Buffer.from(value.slice(SECRET_PREFIX.length), 'base64');
  return key.length >= 24 && key.length <= 64;
}

export function sign(secret: string, messageId: string, timestampSeconds: number, body: Buffer): string {
  const key = Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
  const digest = createHmac('sha256', key).update(`${messageId}.${timestampSeconds}.`).update(body).digest('base64');
  return `v1,${digest}`;
}

export function signatureHeaders(options: {
  messageId: string;
  timestampSeconds: number;
  body: Buffer;
  secrets: string[];
}): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  return {
    'webhook-id': options.messageId,
    'webhook-timestamp': String(options.timestampSeconds),
    'webhook-signature': options.secrets
      .map((secret) => sign(secret, options.messageId, options.timestampSeconds, options.body))
      .join(' '),
  };
}
