/**
 * For receivers: checks that a request came from Hookpost, with the Standard Webhooks
 * library (`standardwebhooks`), before anything reads the body. It refuses a missing
 * or wrong signature and a `webhook-timestamp` more than 5 minutes from this machine's
 * clock (the library's tolerance, against replays). De-duplicating on `id` (the
 * `webhook-id` header, the same on every attempt of a delivery) is the caller's part.
 */
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

export { WebhookVerificationError };

/** Node's `req.headers`, a Fetch `Headers`, or a plain record. */
export type HeadersLike = Headers | Record<string, string | string[] | undefined>;

export interface VerifiedWebhook {
  /** `webhook-id`: the delivery id. Keep it, and ignore a request whose id you have already handled. */
  id: string;
  /** When Hookpost signed this attempt. */
  timestamp: Date;
  /** The body as sent, byte for byte (as text). */
  body: string;
}

function header(headers: HeadersLike, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * Verifies a delivery with the endpoint's `whsec_` signing secret, or with several:
 * during a rotation, pass the new and the old one, and either signature will do.
 * Throws WebhookVerificationError when the request is not one Hookpost signed now.
 */
export function verifyWebhook(
  secret: string | readonly string[],
  body: string | Uint8Array,
  headers: HeadersLike,
): VerifiedWebhook {
  const signed = {
    'webhook-id': header(headers, 'webhook-id') ?? '',
    'webhook-timestamp': header(headers, 'webhook-timestamp') ?? '',
    'webhook-signature': header(headers, 'webhook-signature') ?? '',
  };
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  const secrets = typeof secret === 'string' ? [secret] : secret;
  if (secrets.length === 0) throw new WebhookVerificationError('No signing secret to verify with');
  let refusal: unknown;
  for (const candidate of secrets) {
    try {
      // jsonParse: false, since bodies may be text, XML or a form as well as JSON.
      new Webhook(candidate).verify(text, signed, { jsonParse: false });
      return {
        id: signed['webhook-id'],
        timestamp: new Date(Number(signed['webhook-timestamp']) * 1000),
        body: text,
      };
    } catch (error) {
      refusal = error;
    }
  }
  throw refusal;
}
