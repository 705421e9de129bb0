/** Bulk erasure of a mailbox's events by filter: preview, start, follow, cancel (admins). */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type ErasureFilterInput } from '../../erasures/erasureFilter.ts';
import {
  cancelErasure,
  getErasure,
  listErasures,
  previewErasure,
  startErasure,
} from '../../erasures/erasureService.ts';
import { notFound } from '../../errors.ts';
import { eventStatuses, type EventStatus } from '../../events/statuses.ts';
import type { Runtime } from '../../runtime.ts';
import { announceNextPage } from '../pagination.ts';
import { presentErasure } from '../present.ts';
import { erasureBody, errorResponses, page, paginationQuery, uuidParam } from '../schemas.ts';

const security = [{ bearerAuth: [] }];

/** The events history's filter (GET /api/webhooks), as a JSON body in REST's words. */
const filterFields = {
  status: z
    .array(z.enum(eventStatuses))
    .optional()
    .describe(`Only events with one of these statuses (${eventStatuses.join(', ')})`),
  event_types: z.array(z.string()).optional().describe('Only events of these types: names or patterns with `*`'),
  received_since: z
    .string()
    .optional()
    .meta({ format: 'date-time' })
    .describe('Only events accepted at or after this moment'),
  received_until: z
    .string()
    .optional()
    .meta({ format: 'date-time' })
    .describe('Only events accepted before this moment (an erasure also stops at when it started)'),
  payload: z
    .array(z.object({ path: z.string(), equals: z.string() }).strict())
    .optional()
    .describe(
      'Only JSON events whose fields equal these values, all of them: `path` like `data.customer_id`, `equals` the value as text ' +
        '(as `payload` of GET /api/webhooks)',
    ),
  endpoint_id: z.string().optional().describe('Only events with a delivery to this endpoint'),
  delivery_status_code: z
    .number()
    .int()
    .optional()
    .describe('Only events with a delivery whose latest attempt got this HTTP status'),
  delivery_error_kind: z
    .string()
    .optional()
    .describe('Only events with a delivery whose latest attempt failed this way (timeout, http_status…)'),
  tracking_number_prefix: z
    .string()
    .optional()
    .describe('Only events whose tracking number starts with these hexadecimal digits'),
};

const filterExample = { payload: [{ path: 'data.customer_id', equals: 'C-42' }] };

// Unknown fields are refused, not ignored: a misspelt one would widen the erasure.
const previewBody = z
  .object(filterFields)
  .strict()
  .meta({
    id: 'ErasureFilter',
    description:
      "Which of the mailbox's events: every field given must match (the filters of GET /api/webhooks). Unknown fields are refused.",
    examples: [filterExample],
  });

const startBody = z
  .object({
    ...filterFields,
    everything: z
      .boolean()
      .optional()
      .describe('Confirms a filter that matches every event of the mailbox (no condition): refused without it'),
    expected_count: z
      .number()
      .int()
      .optional()
      .describe('The count you confirmed (from the preview): if more events match now, nothing starts (409)'),
  })
  .strict()
  .meta({
    id: 'ErasureRequest',
    description:
      'The events to erase (the fields of `ErasureFilterInput`, at least one condition unless `everything` is true), and the count confirmed.',
    examples: [{ ...filterExample, expected_count: 1200 }],
  });

function toFilter(input: {
  status?: EventStatus[];
  event_types?: string[];
  received_since?: string;
  received_until?: string;
  payload?: { path: string; equals: string }[];
  endpoint_id?: string;
  delivery_status_code?: number;
  delivery_error_kind?: string;
  tracking_number_prefix?: string;
}): ErasureFilterInput {
  const filter: ErasureFilterInput = {
    status: input.status,
    eventTypes: input.event_types,
    receivedSince: input.received_since,
    receivedUntil: input.received_until,
    payload: input.payload,
    endpointId: input.endpoint_id,
    deliveryStatusCode: input.delivery_status_code,
    deliveryErrorKind: input.delivery_error_kind,
    trackingNumberPrefix: input.tracking_number_prefix,
  };
  // Fields not given stay out, so the strict filter sees only what was sent.
  return Object.fromEntries(Object.entries(filter).filter(([, value]) => value !== undefined));
}

export async function erasureRoutes(app: FastifyInstance, rt: Runtime) {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.post('/api/mailboxes/:id/erasures/preview', {
    schema: {
      operationId: 'previewErasure',
      summary: "How many of the mailbox's events an erasure with this filter would erase now",
      tags: ['Erasures'],
      security,
      params: uuidParam,
      body: previewBody,
      response: {
        200: z.object({ count: z.number().int() }).describe('The count'),
        ...errorResponses(400, 401, 403, 404, 415, 422, 429),
      },
    },
    handler: async (request) => ({
      count: await previewErasure(rt, request.actor, request.params.id, toFilter(request.body)),
    }),
  });

  api.post('/api/mailboxes/:id/erasures', {
    schema: {
      operationId: 'startErasure',
      summary: 'Erase every event of the mailbox matching a filter, in the background',
      description:
        'Each matching event received before now is erased as `DELETE /api/webhooks/{tracking_number}` erases one: its body, ' +
        'its attempts’ captured responses and its idempotency key are gone, its waiting and failed deliveries cancelled, a ' +
        'tombstone stays. Runs in small batches (HOOKPOST_ERASURE_PER_SECOND); an event with an attempt in flight is taken ' +
        'once the attempt ends. A filter with no condition is refused unless `everything` is true; `expected_count` refuses ' +
        'to start (409) when more match than you confirmed. Admins only; at most 5 run at once (409); recorded in the audit log. ' +
        'Cannot be undone.',
      tags: ['Erasures'],
      security,
      params: uuidParam,
      body: startBody,
      response: { 202: erasureBody.describe('Started'), ...errorResponses(400, 401, 403, 404, 409, 415, 422, 429) },
    },
    handler: async (request, reply) => {
      const { everything, expected_count: expectedCount, ...filter } = request.body;
      const erasure = await startErasure(rt, request.actor, request.params.id, {
        filter: toFilter(filter),
        everything,
        expectedCount,
      });
      return reply.status(202).send(presentErasure(erasure));
    },
  });

  api.get('/api/mailboxes/:id/erasures', {
    schema: {
      operationId: 'listErasures',
      summary: "The mailbox's bulk erasures, newest first",
      tags: ['Erasures'],
      security,
      params: uuidParam,
      querystring: z.object(paginationQuery),
      response: {
        200: page(erasureBody, 'A page of erasures, newest first'),
        ...errorResponses(401, 403, 404, 422, 429),
      },
    },
    handler: async (request, reply) => {
      const { limit, cursor } = request.query;
      const rows = await listErasures(rt, request.actor, {
        mailboxId: request.params.id,
        after: cursor,
        limit: limit + 1,
      });
      const page = rows.slice(0, limit);
      announceNextPage(request, reply, rows.length > limit ? page.at(-1)!.id : null);
      return page.map(presentErasure);
    },
  });

  api.get('/api/erasures/:id', {
    schema: {
      operationId: 'getErasure',
      summary: "A bulk erasure's progress",
      tags: ['Erasures'],
      security,
      params: uuidParam,
      response: { 200: erasureBody.describe('The erasure'), ...errorResponses(401, 403, 404, 429) },
    },
    handler: async (request) => {
      const erasure = await getErasure(rt, request.actor, request.params.id);
      if (!erasure) throw notFound('The erasure');
      return presentErasure(erasure);
    },
  });

  api.post('/api/erasures/:id/cancel', {
    schema: {
      operationId: 'cancelErasure',
      summary: 'Stop a running erasure (what it erased stays erased)',
      tags: ['Erasures'],
      security,
      params: uuidParam,
      response: { 200: erasureBody.describe('The erasure as it is now'), ...errorResponses(401, 403, 404, 429) },
    },
    handler: async (request) => presentErasure(await cancelErasure(rt, request.actor, request.params.id)),
  });
}
