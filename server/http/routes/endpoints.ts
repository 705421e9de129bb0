/** A mailbox's endpoints: add, list, change, enable/disable, rotate the signing secret, delete. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  createEndpoint,
  deleteEndpoint,
  revealSigningSecret,
  rotateEndpointSecret,
  setEndpointEnabled,
  updateEndpoint,
} from '../../endpoints/endpointService.ts';
import type { RetryPolicyInput } from '../../endpoints/retryPolicy.ts';
import { notFound } from '../../errors.ts';
import { getEndpoint, listEndpoints } from '../../endpoints/endpointQueries.ts';
import type { Runtime } from '../../runtime.ts';
import { presentEndpoint } from '../present.ts';
import { announceNextPage, pageAfter, splitPage } from '../pagination.ts';
import { endpointBody, errorBody, paginationQuery, uuidParam } from '../schemas.ts';

const security = [{ bearerAuth: [] }];

const retryPolicyInput = z
  .object({
    max_attempts: z.number().int().optional(),
    base_delay_ms: z.number().int().optional(),
    factor: z.number().optional(),
    max_delay_ms: z.number().int().optional(),
    jitter: z.number().optional(),
    schedule: z.array(z.number().int()).optional(),
  })
  .describe('Omitted fields take the defaults (3 attempts, 2000 ms, factor 2, cap 1 h, no jitter)');

const endpointFields = {
  url: z.string().describe('http(s) URL; private addresses need HOOKPOST_ALLOWED_TARGETS'),
  description: z.string().optional(),
  event_types: z.array(z.string()).optional().describe('Names or patterns with `*`; empty = every event'),
  headers: z.record(z.string(), z.string()).optional().describe('Custom request headers (stored encrypted)'),
  timeout_ms: z.number().int().optional().describe('1000-60000, default 15000'),
  retry_policy: retryPolicyInput.optional(),
};

function toRetryPolicy(input: z.infer<typeof retryPolicyInput> | undefined): RetryPolicyInput | undefined {
  if (!input) return undefined;
  return {
    maxAttempts: input.max_attempts,
    baseDelayMs: input.base_delay_ms,
    factor: input.factor,
    maxDelayMs: input.max_delay_ms,
    jitter: input.jitter,
    schedule: input.schedule,
  };
}

export async function endpointRoutes(app: FastifyInstance, rt: Runtime) {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get('/api/mailboxes/:id/endpoints', {
    schema: {
      summary: "A mailbox's endpoints, oldest first",
      tags: ['Endpoints'],
      security,
      params: uuidParam,
      querystring: z.object({
        include_deleted: z.enum(['true', 'false']).optional().describe('Also list deleted endpoints (default false)'),
        ...paginationQuery,
      }),
      response: { 200: z.array(endpointBody), 401: errorBody, 422: errorBody },
    },
    handler: async (request, reply) => {
      const { limit, cursor, include_deleted } = request.query;
      const rows = await listEndpoints(
        rt,
        request.actor,
        { mailboxId: request.params.id, includeDeleted: include_deleted === 'true' },
        pageAfter(limit, cursor),
      );
      const { page, nextCursor } = splitPage(rows, limit);
      announceNextPage(request, reply, nextCursor);
      return page.map((endpoint) => presentEndpoint(rt, endpoint, request.actor));
    },
  });

  api.post('/api/mailboxes/:id/endpoints', {
    schema: {
      summary: 'Add an endpoint',
      description: 'Returns its `whsec_` signing secret once (operators can reveal it later).',
      tags: ['Endpoints'],
      security,
      params: uuidParam,
      body: z.object(endpointFields),
      response: {
        201: endpointBody.extend({ signing_secret: z.string() }),
        401: errorBody,
        403: errorBody,
        404: errorBody,
        422: errorBody,
      },
    },
    handler: async (request, reply) => {
      const { body } = request;
      const created = await createEndpoint(rt, request.actor, request.params.id, {
        url: body.url,
        description: body.description,
        eventTypes: body.event_types,
        headers: body.headers,
        timeoutMs: body.timeout_ms,
        retryPolicy: toRetryPolicy(body.retry_policy),
      });
      return reply
        .status(201)
        .send({ ...presentEndpoint(rt, created.endpoint, request.actor), signing_secret: created.signingSecret });
    },
  });

  api.get('/api/endpoints/:id', {
    schema: {
      summary: 'One endpoint (a deleted one too, with `deleted_at`)',
      tags: ['Endpoints'],
      security,
      params: uuidParam,
      response: { 200: endpointBody, 401: errorBody, 404: errorBody },
    },
    handler: async (request) => {
      const endpoint = await getEndpoint(rt, request.actor, request.params.id, {});
      if (!endpoint) throw notFound('The endpoint');
      return presentEndpoint(rt, endpoint, request.actor);
    },
  });

  api.patch('/api/endpoints/:id', {
    schema: {
      summary: 'Change an endpoint',
      description: 'Only the fields given change; a given `retry_policy` replaces the whole policy.',
      tags: ['Endpoints'],
      security,
      params: uuidParam,
      body: z.object({ ...endpointFields, url: endpointFields.url.optional() }),
      response: { 200: endpointBody, 401: errorBody, 403: errorBody, 404: errorBody, 422: errorBody },
    },
    handler: async (request) => {
      const { body } = request;
      const endpoint = await updateEndpoint(rt, request.actor, request.params.id, {
        url: body.url,
        description: body.description,
        eventTypes: body.event_types,
        headers: body.headers,
        timeoutMs: body.timeout_ms,
        retryPolicy: toRetryPolicy(body.retry_policy),
      });
      return presentEndpoint(rt, endpoint, request.actor);
    },
  });

  for (const [action, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    api.post(`/api/endpoints/:id/${action}`, {
      schema: {
        summary: enabled ? 'Enable an endpoint' : 'Disable an endpoint (waiting deliveries are cancelled)',
        tags: ['Endpoints'],
        security,
        params: uuidParam,
        response: { 200: endpointBody, 401: errorBody, 403: errorBody, 404: errorBody },
      },
      handler: async (request) =>
        presentEndpoint(rt, await setEndpointEnabled(rt, request.actor, request.params.id, enabled), request.actor),
    });
  }

  api.post('/api/endpoints/:id/rotate-secret', {
    schema: {
      summary: 'Rotate the signing secret',
      description:
        'The old secret keeps signing beside the new one for HOOKPOST_SECRET_ROTATION_GRACE_MS (default 24 h).',
      tags: ['Endpoints'],
      security,
      params: uuidParam,
      response: { 200: z.object({ signing_secret: z.string() }), 401: errorBody, 403: errorBody, 404: errorBody },
    },
    handler: async (request) => ({
      signing_secret: (await rotateEndpointSecret(rt, request.actor, request.params.id)).signingSecret,
    }),
  });

  api.get('/api/endpoints/:id/secret', {
    schema: {
      summary: 'Reveal the current signing secret',
      tags: ['Endpoints'],
      security,
      params: uuidParam,
      response: { 200: z.object({ signing_secret: z.string() }), 401: errorBody, 403: errorBody, 404: errorBody },
    },
    handler: async (request) => ({ signing_secret: await revealSigningSecret(rt, request.actor, request.params.id) }),
  });

  api.delete('/api/endpoints/:id', {
    schema: {
      summary: 'Delete an endpoint (history stays readable)',
      tags: ['Endpoints'],
      security,
      params: uuidParam,
      response: { 204: z.null(), 401: errorBody, 403: errorBody, 404: errorBody },
    },
    handler: async (request, reply) => {
      await deleteEndpoint(rt, request.actor, request.params.id);
      return reply.status(204).send(null);
    },
  });
}
