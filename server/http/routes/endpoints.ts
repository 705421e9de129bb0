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
import {
  createdEndpointBody,
  endpointBody,
  errorResponses,
  page,
  paginationQuery,
  signingSecretBody,
  uuidParam,
} from '../schemas.ts';

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
  .describe('Omitted fields take the defaults (3 attempts, 2000 ms, factor 2, cap 1 h, no jitter)')
  .meta({ id: 'RetryPolicyChange', examples: [{ max_attempts: 5, base_delay_ms: 1000 }] });

const endpointFields = {
  url: z.string().meta({ format: 'uri' }).describe('http(s) URL; private addresses need HOOKPOST_ALLOWED_TARGETS'),
  description: z.string().optional(),
  event_types: z.array(z.string()).optional().describe('Names or patterns with `*`; empty = every event'),
  headers: z.record(z.string(), z.string()).optional().describe('Custom request headers (stored encrypted)'),
  timeout_ms: z.number().int().optional().describe('1000-60000, default 15000'),
  retry_policy: retryPolicyInput.optional(),
};

// Request bodies are components: registered once, since an id names one schema.
const createEndpointInput = z.object(endpointFields).meta({
  id: 'CreateEndpoint',
  examples: [{ url: 'https://orders.example.com/hooks/hookpost', event_types: ['order.*'] }],
});
const updateEndpointInput = z
  .object({ ...endpointFields, url: endpointFields.url.optional() })
  .meta({ id: 'UpdateEndpoint', examples: [{ event_types: ['order.*', 'refund.*'], timeout_ms: 5000 }] });

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
      operationId: 'listEndpoints',
      summary: "A mailbox's endpoints, oldest first",
      tags: ['Endpoints'],
      security,
      params: uuidParam,
      querystring: z.object({
        include_deleted: z.enum(['true', 'false']).optional().describe('Also list deleted endpoints (default false)'),
        ...paginationQuery,
      }),
      response: { 200: page(endpointBody, 'A page of endpoints, oldest first'), ...errorResponses(401, 422, 429, 503) },
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
      operationId: 'createEndpoint',
      summary: 'Add an endpoint',
      description: 'Returns its `whsec_` signing secret once (operators can reveal it later).',
      tags: ['Endpoints'],
      security,
      params: uuidParam,
      body: createEndpointInput,
      response: {
        201: createdEndpointBody.describe('Created; the signing secret is shown only here'),
        ...errorResponses(400, 401, 403, 404, 422, 429),
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
      operationId: 'getEndpoint',
      summary: 'One endpoint (a deleted one too, with `deleted_at`)',
      tags: ['Endpoints'],
      security,
      params: uuidParam,
      response: { 200: endpointBody.describe('The endpoint'), ...errorResponses(401, 404, 429, 503) },
    },
    handler: async (request) => {
      const endpoint = await getEndpoint(rt, request.actor, request.params.id, {});
      if (!endpoint) throw notFound('The endpoint');
      return presentEndpoint(rt, endpoint, request.actor);
    },
  });

  api.patch('/api/endpoints/:id', {
    schema: {
      operationId: 'updateEndpoint',
      summary: 'Change an endpoint',
      description: 'Only the fields given change; a given `retry_policy` replaces the whole policy.',
      tags: ['Endpoints'],
      security,
      params: uuidParam,
      body: updateEndpointInput,
      response: {
        200: endpointBody.describe('The endpoint as it is now'),
        ...errorResponses(400, 401, 403, 404, 422, 429),
      },
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
        operationId: enabled ? 'enableEndpoint' : 'disableEndpoint',
        summary: enabled ? 'Enable an endpoint' : 'Disable an endpoint (waiting deliveries are cancelled)',
        tags: ['Endpoints'],
        security,
        params: uuidParam,
        response: { 200: endpointBody.describe('The endpoint as it is now'), ...errorResponses(401, 403, 404, 429) },
      },
      handler: async (request) =>
        presentEndpoint(rt, await setEndpointEnabled(rt, request.actor, request.params.id, enabled), request.actor),
    });
  }

  api.post('/api/endpoints/:id/rotate-secret', {
    schema: {
      operationId: 'rotateEndpointSecret',
      summary: 'Rotate the signing secret',
      description:
        'The old secret keeps signing beside the new one for HOOKPOST_SECRET_ROTATION_GRACE_MS (default 24 h).',
      tags: ['Endpoints'],
      security,
      params: uuidParam,
      response: {
        200: signingSecretBody.describe('The current signing secret'),
        ...errorResponses(401, 403, 404, 429),
      },
    },
    handler: async (request) => ({
      signing_secret: (await rotateEndpointSecret(rt, request.actor, request.params.id)).signingSecret,
    }),
  });

  api.get('/api/endpoints/:id/secret', {
    schema: {
      operationId: 'revealEndpointSecret',
      summary: 'Reveal the current signing secret',
      tags: ['Endpoints'],
      security,
      params: uuidParam,
      response: {
        200: signingSecretBody.describe('The current signing secret'),
        ...errorResponses(401, 403, 404, 429),
      },
    },
    handler: async (request) => ({ signing_secret: await revealSigningSecret(rt, request.actor, request.params.id) }),
  });

  api.delete('/api/endpoints/:id', {
    schema: {
      operationId: 'deleteEndpoint',
      summary: 'Delete an endpoint (history stays readable)',
      tags: ['Endpoints'],
      security,
      params: uuidParam,
      response: { 204: z.null().describe('Deleted'), ...errorResponses(401, 403, 404, 429) },
    },
    handler: async (request, reply) => {
      await deleteEndpoint(rt, request.actor, request.params.id);
      return reply.status(204).send(null);
    },
  });
}
