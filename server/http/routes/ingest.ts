/**
 * POST /webhooks/{mailbox_id}: the producers' door. Takes any body as raw bytes (so it
 * is stored and delivered byte for byte) and hands it to acceptEvent, which decides.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, tooManyFailures, unavailable } from '../../errors.ts';
import { HOPS_HEADER, MAX_HOPS } from '../../events/hops.ts';
import { acceptEvent } from '../../ingest/acceptEvent.ts';
import { ORDERING_KEY_HEADER, ORDERING_KEY_MAX_LENGTH } from '../../events/orderingKey.ts';
import { createBytesInFlight } from '../../ingest/bytesInFlight.ts';
import type { Runtime } from '../../runtime.ts';
import { acceptedContentTypes } from '../../ingest/contentType.ts';
import { eventBodyContent } from '../eventContent.ts';
import { headerAsSent } from '../headerAsSent.ts';
import { examples } from '../examples.ts';
import { errorBody, errorResponses, eventAcceptedBody } from '../schemas.ts';

/** @fastify/swagger reads a body schema's `content` keyword as one schema per media type. */
const ingestBody = z.any().meta({ content: eventBodyContent });

export async function ingestRoutes(app: FastifyInstance, rt: Runtime) {
  // Only this route takes raw bodies; the management API keeps Fastify's JSON parser.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: rt.config.maxBodyBytes }, (_request, body, done) =>
    done(null, body),
  );
  // Bodies held at once are bounded: one that would pass the bound is refused before it is
  // read (a body without a length is counted at the largest size allowed).
  const inFlight = createBytesInFlight(rt.config.ingestMaxBytesInFlight);
  app.addHook('onRequest', (request, reply, done) => {
    const declared = Number(request.headers['content-length']);
    const bytes =
      Number.isFinite(declared) && declared >= 0
        ? Math.min(declared, rt.config.maxBodyBytes + 1)
        : rt.config.maxBodyBytes;
    if (!inFlight.tryTake(bytes)) {
      return done(unavailable('Hookpost is receiving too many events at once; send this one again shortly.', 1));
    }
    reply.raw.once('close', () => inFlight.give(bytes));
    done();
  });
  // Refusals too (a 401 storm is worth seeing); Fastify's clock starts when the request arrives.
  app.addHook('onResponse', (_request, reply, done) => {
    rt.metrics.ingestDuration.observe({ status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    done();
  });
  // Guessing API keys is limited like guessing tokens (auth/authThrottle.ts): a blocked
  // caller is refused before its key is looked up; a wrong key is counted before its 401
  // goes out, and the one that crosses the limit is answered 429 already.
  const { throttle } = app.authGate;
  app.addHook('onRequest', (request, _reply, done) => {
    const apiKey = request.headers['x-api-key'];
    const wait = typeof apiKey === 'string' && apiKey ? throttle.wait({ ip: request.ip, credential: apiKey }) : 0;
    done(wait > 0 ? tooManyFailures(wait) : undefined);
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    const apiKey = request.headers['x-api-key'];
    if (reply.statusCode !== 401 || typeof apiKey !== 'string' || !apiKey) return done(null, payload);
    void throttle.failed({ ip: request.ip, credential: apiKey }).then((wait) => {
      if (wait === 0) return done(null, payload);
      const refusal = tooManyFailures(wait);
      reply.status(refusal.status).header('retry-after', String(wait));
      done(null, JSON.stringify({ error: { code: refusal.code, message: refusal.message } }));
    });
  });

  app.withTypeProvider<ZodTypeProvider>().post('/webhooks/:mailboxId', {
    // The schema documents the route (OpenAPI); acceptEvent checks everything itself, so
    // the hot path skips validating and serialising through zod.
    validatorCompiler: () => () => true,
    serializerCompiler: () => (data) => JSON.stringify(data),
    schema: {
      operationId: 'sendEvent',
      summary: 'Send an event to a mailbox',
      description:
        'Stores the event durably, then answers 202 with its tracking number; delivery to the mailbox endpoints happens afterwards. ' +
        'The body is kept and delivered byte for byte with its Content-Type. The event type is read from `x-event-type`, else the ' +
        "body's `event` or `type` field. A wrong key and an unknown mailbox both answer 401, so mailbox ids cannot be probed. " +
        `Accepted Content-Types: ${acceptedContentTypes}; a body up to HOOKPOST_MAX_BODY_BYTES (1 MiB by default).`,
      tags: ['Ingest'],
      security: [{ apiKey: [] }],
      params: z.object({ mailboxId: z.string().meta({ format: 'uuid' }).describe('The mailbox id') }),
      headers: z
        .object({
          'x-api-key': z.string().optional().describe("The mailbox's API key (also the security scheme)"),
          'x-event-type': z.string().optional().describe("The event type; else the body's `event` or `type` field"),
          'idempotency-key': z
            .string()
            .min(1)
            .max(255)
            .optional()
            .describe(
              'Makes sending again safe: within HOOKPOST_IDEMPOTENCY_WINDOW_HOURS (24 h by default), a request with the same key ' +
                "to the same mailbox gets the first one's 202 and tracking number (with `idempotent-replayed: true`) and " +
                'stores nothing; for another event (another body, type, Content-Type or ordering key) it is refused (409). ' +
                'A key also stops counting when its event is pruned or erased. 1 to 255 printable ASCII characters.',
            ),
          [ORDERING_KEY_HEADER]: z
            .string()
            .min(1)
            .max(ORDERING_KEY_MAX_LENGTH)
            .optional()
            .describe(
              'The event\'s ordering key. An endpoint "ordered by key" (`ordered_by_key`) gets the events of one key one at a time, ' +
                'in arrival order, while other keys go in parallel; a delivery that keeps failing holds back only its own key, ' +
                'until its retries end or it is cancelled. Other endpoints ignore it. 1 to 255 printable ASCII characters.',
            ),
          'x-hookpost-hops': z
            .string()
            .optional()
            .describe(
              'Set by Hookpost on its deliveries: how many times the event has passed through Hookpost. ' +
                `A request at ${MAX_HOPS} or more is refused (delivery_loop), so a delivery loop stops.`,
            ),
        })
        .loose(),
      body: ingestBody,
      response: {
        202: eventAcceptedBody.meta({
          description: 'Stored: delivery to the endpoints follows.',
          headers: {
            location: {
              type: 'string',
              description: 'Where the event can be read: `/api/webhooks/{tracking_number}` (needs an access token).',
              examples: [`/api/webhooks/${examples.event.tracking_number}`],
            },
            'idempotent-replayed': {
              type: 'string',
              description: '`true` when an earlier request with the same Idempotency-Key stored the event.',
            },
          },
        }),
        400: errorBody.describe(
          'A JSON body that does not parse (invalid_json), an Idempotency-Key that is not 1 to 255 printable ASCII characters (invalid_idempotency_key), an x-ordering-key that is not 1 to 255 printable ASCII characters (invalid_ordering_key), or an x-hookpost-hops that is not a number (bad_request).',
        ),
        409: errorBody.describe(
          'The Idempotency-Key was already used for another event within the window: another body, type, Content-Type or ordering key (idempotency_key_reused).',
        ),
        401: errorBody.describe('No API key, a wrong one, or an unknown mailbox (missing_api_key, invalid_api_key).'),
        ...errorResponses(413, 415),
        422: errorBody.describe(
          'The x-event-type header is not an event type (validation_failed), or the request has passed through Hookpost ' +
            `${MAX_HOPS} times already (delivery_loop).`,
        ),
        503: errorBody.describe('Hookpost cannot store the event right now (unavailable): try again.').meta({
          headers: {
            'retry-after': { type: 'integer', description: 'Seconds to wait before sending it again, when given.' },
          },
        }),
        429: errorBody
          .describe('Too many wrong API keys from here (too_many_requests): wait, then send it again.')
          .meta({
            headers: { 'retry-after': { type: 'integer', description: 'Seconds to wait before sending it again.' } },
          }),
      },
    },
    handler: async (request, reply) => {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      // With tracing on, the request's span; its trace id goes into this request's log lines.
      const span = rt.tracing?.startIngestSpan(request.headers, request.params.mailboxId);
      if (span) request.log = request.log.child({ traceId: span.traceId });
      try {
        const accepted = await acceptEvent(rt, {
          mailboxId: request.params.mailboxId,
          apiKey: request.headers['x-api-key'] as string | undefined,
          contentType: request.headers['content-type'],
          body,
          eventTypeHeader: request.headers['x-event-type'] as string | undefined,
          idempotencyKey: request.headers['idempotency-key'],
          // As sent: two keys are refused, not joined into a third one.
          orderingKey: headerAsSent(request.raw.rawHeaders, ORDERING_KEY_HEADER),
          hopsHeader: request.headers[HOPS_HEADER],
          traceContext: span?.traceContext,
        });
        span?.end(202, accepted);
        if (accepted.repeat) reply.header('idempotent-replayed', 'true');
        else rt.metrics.eventsAccepted.inc({ mailbox_routed: accepted.routed ? 'yes' : 'no' });
        return reply
          .status(202)
          .header('location', `/api/webhooks/${accepted.trackingNumber}`)
          .send({
            tracking_number: accepted.trackingNumber,
            status: accepted.routed ? 'queued' : 'unrouted',
          });
      } catch (error) {
        const code = (error as { code?: string }).code ?? 'internal_error';
        rt.metrics.eventsRejected.inc({ code });
        span?.end(error instanceof AppError ? error.status : 500, undefined, code);
        throw error;
      }
    },
  });
}
