/** The original API's event history and retry, plus one event's details, and retry or cancel of one delivery. */
import { isUtf8 } from 'node:buffer';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { findEvents, getEvent } from '../../events/eventQueries.ts';
import { eraseEvent } from '../../events/eraseEvent.ts';
import { retryDelivery, retryEvent } from '../../events/retryDeliveries.ts';
import { cancelDelivery } from '../../events/cancelDelivery.ts';
import { waitingInLine } from '../../events/waitingInLine.ts';
import { resendEvent } from '../../deliveries/resend.ts';
import { eventStatuses } from '../../events/statuses.ts';
import type { Runtime } from '../../runtime.ts';
import { notFound } from '../../errors.ts';
import { announceNextPage, splitPage } from '../pagination.ts';
import { presentAttempt, presentDelivery, presentEvent } from '../present.ts';
import {
  erasedEventBody,
  errorResponses,
  eventBody,
  eventDetailBody,
  fieldMatch,
  page,
  listParam,
  paginationQuery,
  retryBody,
  cancelledDeliveryBody,
  uuidParam,
} from '../schemas.ts';

const security = [{ bearerAuth: [] }];

/** A time as the search service takes it; an unreadable one becomes an invalid date, which it refuses. */
const time = z
  .string()
  .meta({ format: 'date-time' })
  .transform((value) => new Date(value));

/** What the REST lists show of an event: everything but its body, with its mailbox's name and deliveries. */
const listed = {
  omit: { body: true },
  include: {
    mailbox: { select: { name: true } },
    deliveries: { orderBy: { id: 'asc' as const }, include: { endpoint: { select: { url: true } } } },
  },
};

export async function webhookRoutes(app: FastifyInstance, rt: Runtime) {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get('/api/webhooks', {
    schema: {
      operationId: 'listEvents',
      summary: 'List events, newest first',
      description:
        'A JSON array; the next page is in the `Link` (rel="next") and `x-next-cursor` headers. The filters are those ' +
        'of GraphQL `events(filter:)`; every filter given must match.',
      tags: ['Events'],
      security,
      querystring: z.object({
        status: listParam(`Only events with one of these statuses (${eventStatuses.join(', ')})`)
          .pipe(z.array(z.enum(eventStatuses)))
          .optional(),
        mailbox_id: z.string().meta({ format: 'uuid' }).optional().describe('Only this mailbox'),
        endpoint_id: z
          .string()
          .meta({ format: 'uuid' })
          .optional()
          .describe('Only events with a delivery to this endpoint'),
        event_type: listParam('Only these event types: names or patterns with `*`').optional(),
        received_since: time.optional().describe('Only events accepted at or after this time (ISO 8601)'),
        received_until: time.optional().describe('Only events accepted before this time (ISO 8601)'),
        tracking_number: z.string().optional().describe('Only tracking numbers starting with these hexadecimal digits'),
        payload: z
          .union([z.string(), z.array(z.string())])
          .transform((value) => (Array.isArray(value) ? value : [value]))
          .optional()
          .describe(
            'Only JSON events whose field equals a value, as `path=value` (`data.order_id=ORD-100`; a value like `100` or `true` ' +
              'also finds that number or boolean); repeat it for several fields, all of which must match',
          ),
        delivery_status_code: z.coerce
          .number()
          .optional()
          .describe('Only events with a delivery whose latest attempt got this HTTP status (e.g. 500)'),
        delivery_error_kind: z
          .string()
          .optional()
          .describe(
            'Only events with a delivery whose latest attempt failed this way (timeout, connection_refused, http_status…)',
          ),
        ...paginationQuery,
      }),
      response: { 200: page(eventBody, 'A page of events, newest first'), ...errorResponses(401, 422, 429, 503) },
    },
    handler: async (request, reply) => {
      const { limit, cursor, ...query } = request.query;
      const rows = await findEvents(
        rt,
        request.actor,
        {
          status: query.status,
          mailboxId: query.mailbox_id,
          endpointId: query.endpoint_id,
          eventTypes: query.event_type,
          receivedSince: query.received_since,
          receivedUntil: query.received_until,
          trackingNumberPrefix: query.tracking_number,
          payload: query.payload?.map(fieldMatch),
          deliveryStatusCode: query.delivery_status_code,
          deliveryErrorKind: query.delivery_error_kind,
        },
        { after: cursor, limit: limit + 1, inverted: false },
        listed,
      );
      const { page, nextCursor } = splitPage(rows, limit);
      announceNextPage(request, reply, nextCursor);
      // One lookup for the page, and only when it has keyed deliveries waiting.
      const waiting = await waitingInLine(
        rt.reads.pool,
        page.flatMap((event) => event.deliveries),
      );
      return page.map((event) => presentEvent(event, waiting));
    },
  });

  api.get('/api/webhooks/:id', {
    schema: {
      operationId: 'getEvent',
      summary: 'One event with its body, deliveries and every attempt',
      tags: ['Events'],
      security,
      params: uuidParam,
      response: { 200: eventDetailBody.describe('The event'), ...errorResponses(401, 404, 429, 503) },
    },
    handler: async (request) => {
      const event = await getEvent(rt, request.actor, request.params.id, {
        include: {
          mailbox: { select: { name: true } },
          deliveries: {
            orderBy: { id: 'asc' },
            include: { endpoint: { select: { url: true } }, attempts: { orderBy: { number: 'asc' } } },
          },
        },
      });
      if (!event) throw notFound('The event');
      const waiting = await waitingInLine(rt.reads.pool, event.deliveries);
      const body = Buffer.from(event.body);
      const text = isUtf8(body);
      return {
        ...presentEvent(event),
        content_type: event.contentType,
        body: text ? body.toString('utf8') : body.toString('base64'),
        body_encoding: text ? ('utf8' as const) : ('base64' as const),
        deliveries: event.deliveries.map((delivery) => ({
          ...presentDelivery(delivery, waiting),
          attempts: delivery.attempts.map(presentAttempt),
        })),
      };
    },
  });

  api.delete('/api/webhooks/:id', {
    schema: {
      operationId: 'eraseEvent',
      summary: 'Erase an event',
      description:
        'Its body and the response bodies and headers its attempts captured are gone for good; its waiting and failed deliveries ' +
        'are cancelled; the event stays as a tombstone with `erased_at`. Admins only; recorded in the audit log. ' +
        'Erasing it again answers the same. 409 while an attempt is in flight: try again in a few seconds.',
      tags: ['Events'],
      security,
      params: uuidParam,
      response: { 200: erasedEventBody.describe('Erased'), ...errorResponses(401, 403, 404, 409, 429) },
    },
    handler: async (request) => {
      const erased = await eraseEvent(rt, request.actor, request.params.id);
      return { tracking_number: erased.trackingNumber, erased_at: erased.erasedAt.toISOString() };
    },
  });

  api.post('/api/webhooks/:id/retry', {
    schema: {
      operationId: 'retryEvent',
      summary: "Retry an event's failed deliveries",
      description:
        'Each failed delivery gets one manual attempt now. Queued and in-flight deliveries are not duplicated (409 when nothing is retryable).',
      tags: ['Events'],
      security,
      params: uuidParam,
      response: { 202: retryBody.describe('Re-queued'), ...errorResponses(401, 403, 404, 409, 429) },
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

  api.post('/api/webhooks/:id/resend', {
    schema: {
      operationId: 'resendEvent',
      summary: 'Send an event again to one endpoint of its mailbox',
      description:
        'A new delivery with one manual attempt (and its own `webhook-id`), to any enabled endpoint of the event’s mailbox, ' +
        'whatever its event-type filter. 409 when the event was erased, the endpoint is disabled, or a delivery of the event ' +
        'to it is still on its way; 422 for an endpoint of another mailbox. Recorded in the audit log.',
      tags: ['Events'],
      security,
      params: uuidParam,
      body: z
        .object({ endpoint_id: z.string().meta({ format: 'uuid' }).describe('The endpoint to send it to') })
        .strict()
        .describe('Where to send the event again'),
      response: {
        202: retryBody.describe('The new delivery, queued'),
        ...errorResponses(400, 401, 403, 404, 409, 415, 422, 429),
      },
    },
    handler: async (request, reply) => {
      const delivery = await resendEvent(rt, request.actor, {
        trackingNumber: request.params.id,
        endpointId: request.body.endpoint_id,
      });
      return reply.status(202).send({
        message: 'Webhook resend initiated',
        tracking_number: delivery.eventId,
        new_status: 'queued' as const,
        delivery_ids: [delivery.deliveryId],
      });
    },
  });

  api.post('/api/deliveries/:id/retry', {
    schema: {
      operationId: 'retryDelivery',
      summary: 'Retry one failed delivery',
      tags: ['Events'],
      security,
      params: uuidParam,
      response: { 202: retryBody.describe('Re-queued'), ...errorResponses(401, 403, 404, 409, 429) },
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

  api.post('/api/deliveries/:id/cancel', {
    schema: {
      operationId: 'cancelDelivery',
      summary: 'Cancel one waiting delivery',
      description:
        'Gives up on a delivery waiting for an attempt (queued, between retries, or held): it ends `cancelled` and can be ' +
        'retried later. This is how to skip the head of an ordering key that keeps failing: the next delivery of that key ' +
        'goes at once. A delivery in flight or already ended is refused (conflict).',
      tags: ['Events'],
      security,
      params: uuidParam,
      response: { 200: cancelledDeliveryBody.describe('Cancelled'), ...errorResponses(401, 403, 404, 409, 429) },
    },
    handler: async (request, reply) => {
      const result = await cancelDelivery(rt, request.actor, request.params.id);
      return reply.status(200).send({
        message: 'Delivery cancelled',
        tracking_number: result.eventId,
        delivery_id: result.deliveryId,
        new_status: 'cancelled' as const,
      });
    },
  });
}
