/**
 * POST /webhooks/{mailbox_id}: the producers' door. Takes any body as raw bytes (so it
 * is stored and delivered byte for byte) and hands it to acceptEvent, which decides.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { tooManyFailures, unavailable } from '../../errors.ts';
import { acceptEvent } from '../../ingest/acceptEvent.ts';
import { createBytesInFlight } from '../../ingest/bytesInFlight.ts';
import type { Runtime } from '../../runtime.ts';
import { errorBody } from '../schemas.ts';

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
      summary: 'Send an event to a mailbox',
      description:
        'Stores the event durably, then answers 202 with its tracking number; delivery to the mailbox endpoints happens afterwards. ' +
        'The body is kept and delivered byte for byte with its Content-Type. The event type is read from `x-event-type`, else the ' +
        "body's `event` or `type` field. A wrong key and an unknown mailbox both answer 401, so mailbox ids cannot be probed.",
      tags: ['Ingest'],
      security: [{ apiKey: [] }],
      params: z.object({ mailboxId: z.string().describe('The mailbox id') }),
      headers: z.object({ 'x-api-key': z.string().optional(), 'x-event-type': z.string().optional() }).loose(),
      body: z.any().optional().describe('Any JSON (or text/plain, form, XML) body, up to HOOKPOST_MAX_BODY_BYTES.'),
      response: {
        202: z.object({
          tracking_number: z.string().describe('The event id: a time-ordered UUID (v7)'),
          status: z
            .enum(['queued', 'unrouted'])
            .describe('`unrouted` when no endpoint accepts the event type: stored, not delivered'),
        }),
        400: errorBody,
        401: errorBody,
        405: errorBody,
        413: errorBody,
        415: errorBody,
        422: errorBody,
        429: errorBody,
      },
    },
    handler: async (request, reply) => {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      try {
        const accepted = await acceptEvent(rt, {
          mailboxId: request.params.mailboxId,
          apiKey: request.headers['x-api-key'] as string | undefined,
          contentType: request.headers['content-type'],
          body,
          eventTypeHeader: request.headers['x-event-type'] as string | undefined,
        });
        rt.metrics.eventsAccepted.inc({ mailbox_routed: accepted.deliveryCount > 0 ? 'yes' : 'no' });
        return reply
          .status(202)
          .header('location', `/api/webhooks/${accepted.trackingNumber}`)
          .send({
            tracking_number: accepted.trackingNumber,
            status: accepted.deliveryCount > 0 ? 'queued' : 'unrouted',
          });
      } catch (error) {
        rt.metrics.eventsRejected.inc({ code: (error as { code?: string }).code ?? 'internal_error' });
        throw error;
      }
    },
  });
}
