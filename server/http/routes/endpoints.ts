/** A mailbox's endpoints: add, list, change, enable/disable, pause/resume, read health, rotate the signing secret, delete. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  createEndpoint,
  deleteEndpoint,
  revealSigningSecret,
  rotateEndpointSecret,
  updateEndpoint,
} from '../../endpoints/endpointService.ts';
import type { HealthPolicyInput } from '../../endpoints/healthPolicy.ts';
import { retryPresetNames, type RetryPolicyInput } from '../../endpoints/retryPolicy.ts';
import { notFound } from '../../errors.ts';
import { getEndpoint, listEndpoints } from '../../endpoints/endpointQueries.ts';
import { setEndpointEnabled, setEndpointPaused } from '../../health/endpointSwitches.ts';
import type { Runtime } from '../../runtime.ts';
import { getEndpointHealth, readEndpointActivity } from '../../health/healthQueries.ts';
import { presentEndpoint, presentEndpointHealth } from '../present.ts';
import { announceNextPage, pageAfter, splitPage } from '../pagination.ts';
import {
  createdEndpointBody,
  endpointBody,
  endpointHealthBody,
  errorResponses,
  page,
  paginationQuery,
  signingSecretBody,
  uuidParam,
} from '../schemas.ts';

const security = [{ bearerAuth: [] }];

const retryPolicyInput = z
  .object({
    preset: z.enum(retryPresetNames).optional(),
    max_attempts: z.number().int().optional(),
    base_delay_ms: z.number().int().optional(),
    factor: z.number().optional(),
    max_delay_ms: z.number().int().optional(),
    jitter: z.number().optional(),
    schedule: z.array(z.number().int()).optional(),
  })
  .describe(
    "Omitted fields take the preset's values (`spec` by default: 3 attempts, 2000 ms, factor 2, cap 1 h, no jitter)",
  )
  .meta({ id: 'RetryPolicyChange', examples: [{ max_attempts: 5, base_delay_ms: 1000 }, { preset: 'production' }] });

const healthPolicyInput = z
  .object({
    failure_threshold: z.number().int().optional(),
    failure_rate_percent: z.number().int().optional(),
    window_ms: z.number().int().optional(),
    min_attempts: z.number().int().optional(),
    cool_down_ms: z.number().int().optional(),
    max_cool_down_ms: z.number().int().optional(),
    disable_after_ms: z.number().int().optional(),
  })
  .describe(
    'When the circuit opens and when the endpoint is disabled; omitted fields take the defaults (5 failures in a row or 50 % of 20 within a minute open it for 30 s, doubling to 30 min; 5 days failing disables)',
  )
  .meta({ id: 'HealthPolicyChange', examples: [{ failure_threshold: 10, disable_after_ms: 86400000 }] });

const endpointFields = {
  url: z.string().meta({ format: 'uri' }).describe('http(s) URL; private addresses need HOOKPOST_ALLOWED_TARGETS'),
  description: z.string().optional(),
  event_types: z.array(z.string()).optional().describe('Names or patterns with `*`; empty = every event'),
  headers: z.record(z.string(), z.string()).optional().describe('Custom request headers (stored encrypted)'),
  timeout_ms: z.number().int().optional().describe('1000-60000, default 15000'),
  retry_policy: retryPolicyInput.optional(),
  rate_limit_per_second: z
    .number()
    .nullable()
    .optional()
    .describe('At most this many deliveries a second (0.01-10000); null: no limit'),
  max_in_flight: z
    .number()
    .int()
    .nullable()
    .optional()
    .describe('At most this many requests in flight (1-1000); null: fair share'),
  health_policy: healthPolicyInput.nullable().optional(),
  ordered_by_key: z
    .boolean()
    .optional()
    .describe(
      'Deliver the events of one ordering key one at a time, in arrival order (other keys in parallel); default false. ' +
        'A delivery that keeps failing holds back only its key, until its retries end or it is cancelled.',
    ),
  ordering_key_field: z
    .string()
    .nullable()
    .optional()
    .describe(
      'With ordered_by_key: the JSON body field (`data.customer_id`) the key is read from when an event has no ' +
        '`x-ordering-key` header; null: the header only. Events with neither are delivered unordered.',
    ),
};

// Request bodies are components: registered once, since an id names one schema.
const createEndpointInput = z.object(endpointFields).meta({
  id: 'CreateEndpoint',
  examples: [{ url: 'https://orders.example.com/hooks/hookpost', event_types: ['order.*'] }],
});
const updateEndpointInput = z
  .object({ ...endpointFields, url: endpointFields.url.optional() })
  .meta({ id: 'UpdateEndpoint', examples: [{ event_types: ['order.*', 'refund.*'], timeout_ms: 5000 }] });

function toHealthPolicy(
  input: z.infer<typeof healthPolicyInput> | null | undefined,
): HealthPolicyInput | null | undefined {
  if (!input) return input;
  return {
    failureThreshold: input.failure_threshold,
    failureRatePercent: input.failure_rate_percent,
    windowMs: input.window_ms,
    minAttempts: input.min_attempts,
    coolDownMs: input.cool_down_ms,
    maxCoolDownMs: input.max_cool_down_ms,
    disableAfterMs: input.disable_after_ms,
  };
}

/** The limits and policies a body may set, in the service's words (an explicit null removes a limit). */
function toSettings(body: z.infer<typeof updateEndpointInput>) {
  return {
    rateLimitPerSecond: body.rate_limit_per_second,
    maxInFlight: body.max_in_flight,
    healthPolicy: toHealthPolicy(body.health_policy),
    orderedByKey: body.ordered_by_key,
    orderingKeyField: body.ordering_key_field,
  };
}

function toRetryPolicy(input: z.infer<typeof retryPolicyInput> | undefined): RetryPolicyInput | undefined {
  if (!input) return undefined;
  return {
    preset: input.preset,
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
        ...errorResponses(400, 401, 403, 404, 415, 422, 429),
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
        ...toSettings(body),
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
        ...errorResponses(400, 401, 403, 404, 415, 422, 429),
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
        ...toSettings(body),
      });
      return presentEndpoint(rt, endpoint, request.actor);
    },
  });

  api.post('/api/endpoints/:id/enable', {
    schema: {
      operationId: 'enableEndpoint',
      summary: 'Enable an endpoint',
      description:
        'Its health starts afresh and `endpoint.enabled` is raised. With `replay_missed`, the events it missed while disabled (those its filter accepts) are delivered too, as a replay behind live traffic.',
      tags: ['Endpoints'],
      security,
      params: uuidParam,
      body: z
        .object({
          replay_missed: z.boolean().optional().describe('Deliver what it missed while disabled (default false)'),
        })
        .nullish(),
      response: {
        200: endpointBody.describe('The endpoint as it is now'),
        ...errorResponses(400, 401, 403, 404, 409, 415, 422, 429),
      },
    },
    handler: async (request) =>
      presentEndpoint(
        rt,
        await setEndpointEnabled(rt, request.actor, request.params.id, true, {
          replayMissed: request.body?.replay_missed ?? false,
        }),
        request.actor,
      ),
  });

  api.post('/api/endpoints/:id/disable', {
    schema: {
      operationId: 'disableEndpoint',
      summary: 'Disable an endpoint (waiting deliveries are cancelled)',
      tags: ['Endpoints'],
      security,
      params: uuidParam,
      response: { 200: endpointBody.describe('The endpoint as it is now'), ...errorResponses(401, 403, 404, 429) },
    },
    handler: async (request) =>
      presentEndpoint(rt, await setEndpointEnabled(rt, request.actor, request.params.id, false), request.actor),
  });

  for (const [action, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    api.post(`/api/endpoints/:id/${action}`, {
      schema: {
        operationId: paused ? 'pauseEndpoint' : 'resumeEndpoint',
        summary: paused
          ? 'Pause an endpoint (its deliveries are held, not dropped)'
          : 'Resume an endpoint (what it held is delivered, oldest first)',
        tags: ['Endpoints'],
        security,
        params: uuidParam,
        response: { 200: endpointBody.describe('The endpoint as it is now'), ...errorResponses(401, 403, 404, 429) },
      },
      handler: async (request) =>
        presentEndpoint(rt, await setEndpointPaused(rt, request.actor, request.params.id, paused), request.actor),
    });
  }

  api.get('/api/endpoints/:id/health', {
    schema: {
      operationId: 'getEndpointHealth',
      summary: "An endpoint's circuit breaker, held backlog and recent activity",
      tags: ['Endpoints'],
      security,
      params: uuidParam,
      querystring: z.object({
        window_minutes: z.coerce
          .number()
          .int()
          .min(1)
          .max(10_080)
          .default(60)
          .describe('How far back the activity goes, in minutes (1-10080, default 60)'),
      }),
      response: { 200: endpointHealthBody, ...errorResponses(401, 404, 422, 429) },
    },
    handler: async (request) => {
      const health = await getEndpointHealth(rt, request.actor, request.params.id);
      if (!health) throw notFound('The endpoint');
      const activity = await readEndpointActivity(
        rt.reads.pool,
        request.params.id,
        request.query.window_minutes * 60_000,
      );
      return presentEndpointHealth(health, activity);
    },
  });

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
