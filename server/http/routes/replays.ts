/** Dead letters (failed deliveries) by filter, and bulk replays of them: preview, start, follow, cancel. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../../errors.ts';
import { findDeadLetters, type DeadLetterFilterInput } from '../../replays/deadLetters.ts';
import { cancelReplay, getReplay, listReplays, previewReplay, startReplay } from '../../replays/replayService.ts';
import type { Runtime } from '../../runtime.ts';
import { announceNextPage } from '../pagination.ts';
import { presentDelivery, presentReplay } from '../present.ts';
import { eventStatuses, type EventStatus } from '../../events/statuses.ts';
import {
  deliveryBody,
  errorResponses,
  fieldMatch,
  listParam,
  page,
  paginationQuery,
  replayBody,
  uuidParam,
} from '../schemas.ts';

const security = [{ bearerAuth: [] }];

/** The filter as query parameters (the list) or a JSON body (a replay), in REST's words. */
const filterFields = {
  endpoint_id: z.string().optional().describe('Only deliveries to this endpoint'),
  mailbox_id: z.string().optional().describe('Only deliveries of events sent to this mailbox'),
  failed_since: z.string().optional().meta({ format: 'date-time' }).describe('Failed at or after this moment'),
  failed_until: z.string().optional().meta({ format: 'date-time' }).describe('Failed before this moment'),
  received_since: z
    .string()
    .optional()
    .meta({ format: 'date-time' })
    .describe('Only deliveries of events accepted at or after this moment'),
  received_until: z
    .string()
    .optional()
    .meta({ format: 'date-time' })
    .describe('Only deliveries of events accepted before this moment'),
  tracking_number_prefix: z
    .string()
    .optional()
    .describe('Only deliveries of events whose tracking number starts with these hexadecimal digits'),
};
const payloadDescription =
  'Only deliveries of JSON events whose fields equal these values, all of them (as `payload` of GET /api/webhooks)';

const deadLetterQuery = z.object({
  ...filterFields,
  error_kinds: listParam('Only these error kinds of the last attempt (timeout, http_status…)').optional(),
  status_codes: listParam('Only these HTTP statuses of the last attempt').optional(),
  event_statuses: listParam(`Only deliveries of events with one of these statuses (${eventStatuses.join(', ')})`)
    .pipe(z.array(z.enum(eventStatuses)))
    .optional(),
  event_types: listParam('Only deliveries of events of these types: names or patterns with `*`').optional(),
  payload: z
    .union([z.string(), z.array(z.string())])
    .transform((value) => (Array.isArray(value) ? value : [value]).map(fieldMatch))
    .optional()
    .describe(`${payloadDescription}, as \`path=value\`, repeated for several fields`),
  ...paginationQuery,
});

const replayFilterBody = z
  .object({
    ...filterFields,
    error_kinds: z.array(z.string()).optional().describe('Only these error kinds of the last attempt (at most 20)'),
    status_codes: z
      .array(z.number().int())
      .optional()
      .describe('Only these HTTP statuses of the last attempt (at most 20)'),
    event_statuses: z
      .array(z.enum(eventStatuses))
      .optional()
      .describe('Only deliveries of events with one of these statuses (at most 20)'),
    event_types: z
      .array(z.string())
      .optional()
      .describe('Only deliveries of events of these types: names or patterns with `*` (at most 20)'),
    tracking_numbers: z.array(z.string()).optional().describe('Only deliveries of these events (at most 1000)'),
    payload: z
      .array(z.object({ path: z.string(), equals: z.string() }).strict())
      .optional()
      .describe(`${payloadDescription}: \`path\` like \`data.order_id\`, \`equals\` the value as text`),
  })
  // An unknown field is refused, not ignored: a misspelt one would widen the replay to everything.
  .strict()
  .meta({
    id: 'DeadLetterFilter',
    description:
      'Which failed deliveries: every field given must match; none given means all of them. Unknown fields are refused.',
    examples: [
      { endpoint_id: '019cbf4e-8a6e-7d1c-9f2b-1c2d3e4f5a6b', status_codes: [503] },
      { event_types: ['order.*'], payload: [{ path: 'data.customer_id', equals: 'C-42' }] },
    ],
  });

function toFilter(input: {
  endpoint_id?: string;
  mailbox_id?: string;
  failed_since?: string;
  failed_until?: string;
  error_kinds?: string[];
  status_codes?: (number | string)[];
  received_since?: string;
  received_until?: string;
  tracking_number_prefix?: string;
  event_statuses?: EventStatus[];
  event_types?: string[];
  tracking_numbers?: string[];
  payload?: { path: string; equals: string }[];
}): DeadLetterFilterInput {
  return {
    endpointId: input.endpoint_id,
    mailboxId: input.mailbox_id,
    failedSince: input.failed_since,
    failedUntil: input.failed_until,
    errorKinds: input.error_kinds,
    statusCodes: input.status_codes?.map((code) =>
      typeof code === 'string' && /^\d+$/.test(code) ? Number(code) : code,
    ) as number[] | undefined,
    receivedSince: input.received_since,
    receivedUntil: input.received_until,
    trackingNumberPrefix: input.tracking_number_prefix,
    eventStatuses: input.event_statuses,
    eventTypes: input.event_types,
    trackingNumbers: input.tracking_numbers,
    payload: input.payload,
  };
}

export async function replayRoutes(app: FastifyInstance, rt: Runtime) {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get('/api/dead-letters', {
    schema: {
      operationId: 'listDeadLetters',
      summary: 'Failed deliveries (the dead-letter queue), newest first, by filter',
      tags: ['Replays'],
      security,
      querystring: deadLetterQuery,
      response: {
        200: page(deliveryBody, 'A page of failed deliveries, newest first'),
        ...errorResponses(401, 422, 429),
      },
    },
    handler: async (request, reply) => {
      const { limit, cursor, ...filter } = request.query;
      const rows = await findDeadLetters(
        rt,
        request.actor,
        toFilter(filter),
        { after: cursor, limit: limit + 1, inverted: false },
        { include: { endpoint: { select: { url: true } } } },
      );
      const page = rows.slice(0, limit);
      announceNextPage(request, reply, rows.length > limit ? page.at(-1)!.id : null);
      return page.map((delivery) => presentDelivery(delivery));
    },
  });

  api.post('/api/replays/preview', {
    schema: {
      operationId: 'previewReplay',
      summary: 'How many failed deliveries a replay with this filter would take now',
      tags: ['Replays'],
      security,
      body: replayFilterBody,
      response: {
        200: z.object({ count: z.number().int() }).describe('The count'),
        ...errorResponses(400, 401, 403, 415, 422, 429),
      },
    },
    handler: async (request) => ({ count: await previewReplay(rt, request.actor, toFilter(request.body)) }),
  });

  api.post('/api/replays', {
    schema: {
      operationId: 'startReplay',
      summary: 'Replay failed deliveries by filter, in the background',
      description:
        'Each matching delivery that failed before now goes back in line for one `replay` attempt, a batch a second (HOOKPOST_REPLAY_PER_SECOND), behind live traffic. Safe to run twice: a delivery no longer failed is not taken. At most 5 run at once (409).',
      tags: ['Replays'],
      security,
      body: replayFilterBody,
      response: { 202: replayBody.describe('Started'), ...errorResponses(400, 401, 403, 409, 415, 422, 429) },
    },
    handler: async (request, reply) =>
      reply.status(202).send(presentReplay(await startReplay(rt, request.actor, toFilter(request.body)))),
  });

  api.get('/api/replays', {
    schema: {
      operationId: 'listReplays',
      summary: 'Bulk replays, newest first',
      tags: ['Replays'],
      security,
      querystring: z.object(paginationQuery),
      response: { 200: page(replayBody, 'A page of replays, newest first'), ...errorResponses(401, 422, 429) },
    },
    handler: async (request, reply) => {
      const { limit, cursor } = request.query;
      const rows = await listReplays(rt, request.actor, { after: cursor, limit: limit + 1 });
      const page = rows.slice(0, limit);
      announceNextPage(request, reply, rows.length > limit ? page.at(-1)!.id : null);
      return page.map(presentReplay);
    },
  });

  api.get('/api/replays/:id', {
    schema: {
      operationId: 'getReplay',
      summary: "A bulk replay's progress",
      tags: ['Replays'],
      security,
      params: uuidParam,
      response: { 200: replayBody.describe('The replay'), ...errorResponses(401, 404, 429) },
    },
    handler: async (request) => {
      const replay = await getReplay(rt, request.actor, request.params.id);
      if (!replay) throw notFound('The replay');
      return presentReplay(replay);
    },
  });

  api.post('/api/replays/:id/cancel', {
    schema: {
      operationId: 'cancelReplay',
      summary: 'Stop a running replay (what it already put back in line is delivered)',
      tags: ['Replays'],
      security,
      params: uuidParam,
      response: { 200: replayBody.describe('The replay as it is now'), ...errorResponses(401, 403, 404, 429) },
    },
    handler: async (request) => presentReplay(await cancelReplay(rt, request.actor, request.params.id)),
  });
}
