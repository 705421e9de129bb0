/**
 * The OpenAPI 3.1 `webhooks` section: the request every endpoint receives, as the
 * worker sends it (delivery/deliverTask.ts builds it, delivery/signature.ts signs it),
 * so receivers can generate types for it and know how to check it. docs/receivers.md
 * says the same with code.
 */
import type { OpenAPIV3_2 } from '@fastify/swagger';
import { eventBodyContent } from './eventContent.ts';
import { examples } from './examples.ts';

/** Standard Webhooks' tolerance for `webhook-timestamp`, which its libraries apply. */
export const TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;

const description = `Hookpost POSTs each event to each endpoint that accepts its type, signed with
[Standard Webhooks](https://www.standardwebhooks.com). A receiver should:

1. **Verify the signature** over the raw body, before parsing it, with the endpoint's \`whsec_\` secret and a
   Standard Webhooks library (\`standardwebhooks\` on npm and PyPI, \`github.com/standard-webhooks/standard-webhooks/libraries/go\`).
   The signed content is \`{webhook-id}.{webhook-timestamp}.{body}\`; the signature is HMAC-SHA256, base64.
2. **Refuse stale requests:** the libraries reject a \`webhook-timestamp\` more than ${TIMESTAMP_TOLERANCE_SECONDS / 60} minutes
   away from the receiver's clock (replay protection). Each attempt is signed when it is sent.
3. **De-duplicate on \`webhook-id\`:** delivery is at-least-once; every attempt of a delivery carries the same id.
4. **Answer 2xx quickly** (within the endpoint's timeout, 15 s by default) and do slow work afterwards.

Any other answer, a redirect (never followed), a timeout or a connection error fails the attempt, which is retried
by the endpoint's retry policy (default: 3 attempts, at once, +2 s, +4 s); \`Retry-After\` on 429 and 503 is honoured.
The endpoint's custom headers are sent too. See docs/receivers.md for code in Node, Python and Go.`;

export const receiverWebhooks: OpenAPIV3_2.Document['webhooks'] = {
  event: {
    post: {
      operationId: 'receiveEvent',
      summary: 'An event delivered to your endpoint',
      description,
      tags: ['Receiving'],
      // The signature, not a credential, proves the sender: see the description.
      security: [],
      parameters: [
        {
          name: 'webhook-id',
          in: 'header',
          required: true,
          description: 'The delivery id: the same on every attempt of a delivery. De-duplicate on it.',
          schema: { type: 'string', format: 'uuid' },
          example: examples.requestHeaders['webhook-id'],
        },
        {
          name: 'webhook-timestamp',
          in: 'header',
          required: true,
          description: `When this attempt was signed, in Unix seconds. Refuse it when it is more than ${TIMESTAMP_TOLERANCE_SECONDS / 60} minutes from your clock.`,
          schema: { type: 'string', pattern: '^[0-9]+$' },
          example: examples.requestHeaders['webhook-timestamp'],
        },
        {
          name: 'webhook-signature',
          in: 'header',
          required: true,
          description:
            'Space-separated `v1,<base64 HMAC-SHA256>` signatures, one per live secret of the endpoint (two during a secret rotation); one matching is enough.',
          schema: { type: 'string', pattern: '^v1,[A-Za-z0-9+/=]+( v1,[A-Za-z0-9+/=]+)*$' },
          example: examples.requestHeaders['webhook-signature'],
        },
        {
          name: 'user-agent',
          in: 'header',
          required: true,
          description: 'Hookpost and its version.',
          schema: { type: 'string' },
          example: examples.requestHeaders['user-agent'],
        },
        {
          name: 'x-hookpost-hops',
          in: 'header',
          required: true,
          description:
            'How many times the event has passed through Hookpost, this delivery included (1 for an event sent to Hookpost by its producer). ' +
            'A relay that forwards the request to a Hookpost should pass it on: Hookpost refuses it from 3 on, so delivery loops stop.',
          schema: { type: 'string', pattern: '^[0-9]+$' },
          example: '1',
        },
      ],
      requestBody: {
        required: true,
        description: 'The event body exactly as the producer sent it, with its Content-Type.',
        content: eventBodyContent,
      },
      responses: {
        '2XX': { description: 'Delivered. The first 20 KiB of the answer are kept on the attempt.' },
        '4XX': {
          description:
            'Failed attempt, retried by the retry policy (429 with Retry-After waits as asked, within the policy cap).',
        },
        '5XX': {
          description:
            'Failed attempt, retried by the retry policy (503 with Retry-After waits as asked, within the policy cap).',
        },
      },
    },
  },
};
