/** The original API's event history and retry, plus one event's details and retry of one delivery. */
import { isUtf8 } from 'node:buffer';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getEvent, listEvents } from '../../events/eventQueries.ts';
import { retryDelivery, retryEvent } from '../../events/retryDeliveries.ts';
import { eventStatuses } from '../../events/statuses.ts';
import type { Runtime } from '../../runtime.ts';
import { announceNextPage } from '../pagination.ts';
import { presentAttempt, presentDelivery, presentEvent } from '../present.ts';
import { errorBody, eventBody, eventDetailBody, paginationQuery, uuidParam } from '../schemas.ts';

const security = [{ bearerAuth: [] }];
const retryBody = z.object({
  message: z.string(),
  tracking_number: z.string(),
  new_status: z.literal('queued'),
  delivery_ids: z.array(z.string()).describe('The deliveries re-queued'),
});

export async function webhookRoutes(app: FastifyInstance, rt: Runtime) {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get('/api/webhooks', {
    schema: {
      summary: 'List events, newest first',
      description: 'A JSON array; the next page is in the `Link` (rel="next") and `x-next-cursor` headers.',
      tags: ['Events'],
      security,
      querystring: z.object({
        status: z.enum(eventStatuses).optional(),
        mailbox_id: z.string().optional().describe('Only this mailbox'),
        ...paginationQuery,
      }),
      response: { 200: z.array(eventBody), 401: errorBody, 422: errorBody },
    },
    handler: async (request, reply) => {
      const { status, mailbox_id: mailboxId, limit, cursor } = request.query;
      const page = await listEvents(rt, request.actor, { status, mailboxId, limit, cursor });
      announceNextPage(request, reply, page.nextCursor);
      return page.events.map(presentEvent);
    },
  });

  api.get('/api/webhooks/:id', {
    schema: {
      summary: 'One event with its body, deliveries and every attempt',
      tags: ['Events'],
      security,
      params: uuidParam,
      response: { 200: eventDetailBody, 401: errorBody, 404: errorBody },
    },
    handler: async (request) => {
      const event = await getEvent(rt, request.actor, request.params.id);
      const body = Buffer.from(event.body);
      const text = isUtf8(body);
      return {
        ...presentEvent(event),
        content_type: event.contentType,
        body: text ? body.toString('utf8') : body.toString('base64'),
        body_encoding: text ? ('utf8' as const) : ('base64' as const),
        deliveries: event.deliveries.map((delivery) => ({
          ...presentDelivery(delivery),
          attempts: delivery.attempts.map(presentAttempt),
        })),
      };
    },
  });

  api.post('/api/webhooks/:id/retry', {
    schema: {
      summary: "Retry an event's failed deliveries",
      description:
        'Each failed delivery gets one manual attempt now. Queued and in-flight deliveries are not duplicated (409 when nothing is retryable).',
      tags: ['Events'],
      security,
      params: uuidParam,
      response: { 202: retryBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody },
    },
    handler: async (request, reply) => {
      const result = await retryEvent(rt, request.actor, request.params.id);
      return reply.status(202).send({
        message: 'Webhook retry initiated',
        tracking_number: result.eventId,
        new_status: 'queued' as const,
        delivery_ids: result.deliveryIds,
      });
    },
  });

  api.post('/api/deliveries/:id/retry', {
    schema: {
      summary: 'Retry one failed delivery',
      tags: ['Events'],
      security,
      params: uuidParam,
      response: { 202: retryBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody },
    },
    handler: async (request, reply) => {
      const result = await retryDelivery(rt, request.actor, request.params.id);
      return reply.status(202).send({
        message: 'Delivery retry initiated',
        tracking_number: result.eventId,
        new_status: 'queued' as const,
        delivery_ids: result.deliveryIds,
      });
    },
  });
}
