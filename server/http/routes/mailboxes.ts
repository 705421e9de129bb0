/** Mailboxes and their API keys: create (the original `POST /api/mailboxes`), list, rename, delete, rotate keys. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../../errors.ts';
import { getMailbox, listApiKeys, listMailboxes } from '../../mailboxes/mailboxQueries.ts';
import {
  createApiKey,
  createMailbox,
  deleteMailbox,
  revokeApiKey,
  updateMailbox,
} from '../../mailboxes/mailboxService.ts';
import type { Runtime } from '../../runtime.ts';
import { announceNextPage, pageAfter, splitPage } from '../pagination.ts';
import { presentApiKey, presentMailbox } from '../present.ts';
import {
  apiKeyBody,
  createdApiKeyBody,
  createdMailboxBody,
  errorResponses,
  mailboxBody,
  page,
  paginationQuery,
  uuidParam,
} from '../schemas.ts';

const security = [{ bearerAuth: [] }];
const firstEndpoint = { where: { deletedAt: null }, orderBy: { id: 'asc' as const }, take: 1, select: { url: true } };

// Request bodies are components: registered once, since an id names one schema.
const createMailboxInput = z
  .object({
    name: z.string().describe('A name for people'),
    target_url: z.string().meta({ format: 'uri' }).optional().describe('http(s) URL of the first endpoint'),
    event_types: z.array(z.string()).optional().describe("The first endpoint's event-type filter"),
    retention_days: z
      .number()
      .int()
      .nullable()
      .optional()
      .describe('How long its settled events are kept, in days (0: forever; null: the instance default)'),
  })
  .meta({
    id: 'CreateMailbox',
    examples: [{ name: 'Order Service', target_url: 'https://orders.example.com/hooks/hookpost' }],
  });
const updateMailboxInput = z
  .object({
    name: z.string().optional().describe('A new name'),
    retention_days: z
      .number()
      .int()
      .nullable()
      .optional()
      .describe('How long its settled events are kept, in days (0: forever; null: the instance default)'),
  })
  .meta({ id: 'UpdateMailbox', examples: [{ name: 'Orders' }, { retention_days: 90 }] });
const createApiKeyInput = z
  .object({ name: z.string().optional().describe('A name for people (default "default")') })
  .meta({ id: 'CreateApiKey', examples: [{ name: 'rotation 2026-12' }] })
  .nullish();
const revokeApiKeyInput = z
  .object({
    grace_seconds: z.number().int().optional().describe('Keep the key working this many seconds more (default 0)'),
  })
  .meta({ id: 'RevokeApiKey', examples: [{ grace_seconds: 3600 }] })
  .nullish();

export async function mailboxRoutes(app: FastifyInstance, rt: Runtime) {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.post('/api/mailboxes', {
    schema: {
      operationId: 'createMailbox',
      summary: 'Create a mailbox',
      description:
        'Returns the API key once. `target_url`, when given, becomes the first endpoint (default retry policy: 3 attempts, +2 s, +4 s).',
      tags: ['Mailboxes'],
      security,
      body: createMailboxInput,
      response: {
        201: createdMailboxBody.describe('Created; the API key and signing secret are shown only here'),
        ...errorResponses(400, 401, 403, 415, 422, 429),
      },
    },
    handler: async (request, reply) => {
      const created = await createMailbox(rt, request.actor, {
        name: request.body.name,
        targetUrl: request.body.target_url,
        endpoint: { eventTypes: request.body.event_types },
        retentionDays: request.body.retention_days,
      });
      return reply.status(201).send({
        ...presentMailbox(created.mailbox, created.endpoint),
        api_key: created.apiKey,
        endpoint_id: created.endpoint?.id ?? null,
        signing_secret: created.signingSecret,
      });
    },
  });

  api.get('/api/mailboxes', {
    schema: {
      operationId: 'listMailboxes',
      summary: 'List mailboxes, newest first',
      tags: ['Mailboxes'],
      security,
      querystring: z.object({
        include_deleted: z.enum(['true', 'false']).optional().describe('Also list deleted mailboxes (default false)'),
        ...paginationQuery,
      }),
      response: { 200: page(mailboxBody, 'A page of mailboxes, newest first'), ...errorResponses(401, 422, 429, 503) },
    },
    handler: async (request, reply) => {
      const { limit, cursor, include_deleted } = request.query;
      const rows = await listMailboxes(
        rt,
        request.actor,
        { includeDeleted: include_deleted === 'true' },
        { ...pageAfter(limit, cursor), include: { endpoints: firstEndpoint } },
      );
      const { page, nextCursor } = splitPage(rows, limit);
      announceNextPage(request, reply, nextCursor);
      return page.map((mailbox) => presentMailbox(mailbox, mailbox.endpoints[0]));
    },
  });

  api.get('/api/mailboxes/:id', {
    schema: {
      operationId: 'getMailbox',
      summary: 'One mailbox (a deleted one too, with `deleted_at`)',
      tags: ['Mailboxes'],
      security,
      params: uuidParam,
      response: { 200: mailboxBody.describe('The mailbox'), ...errorResponses(401, 404, 429, 503) },
    },
    handler: async (request) => {
      const mailbox = await getMailbox(rt, request.actor, request.params.id, { include: { endpoints: firstEndpoint } });
      if (!mailbox) throw notFound('The mailbox');
      return presentMailbox(mailbox, mailbox.endpoints[0]);
    },
  });

  api.patch('/api/mailboxes/:id', {
    schema: {
      operationId: 'updateMailbox',
      summary: 'Rename a mailbox or change its retention',
      tags: ['Mailboxes'],
      security,
      params: uuidParam,
      body: updateMailboxInput,
      response: {
        200: mailboxBody.describe('The mailbox as it is now'),
        ...errorResponses(400, 401, 403, 404, 415, 422, 429),
      },
    },
    handler: async (request) =>
      presentMailbox(
        await updateMailbox(rt, request.actor, request.params.id, {
          name: request.body.name,
          retentionDays: request.body.retention_days,
        }),
      ),
  });

  api.delete('/api/mailboxes/:id', {
    schema: {
      operationId: 'deleteMailbox',
      summary: 'Delete a mailbox',
      description:
        'Its keys stop working and its endpoints stop receiving at once; waiting deliveries are cancelled. History stays readable.',
      tags: ['Mailboxes'],
      security,
      params: uuidParam,
      response: { 204: z.null().describe('Deleted'), ...errorResponses(401, 403, 404, 429) },
    },
    handler: async (request, reply) => {
      await deleteMailbox(rt, request.actor, request.params.id);
      return reply.status(204).send(null);
    },
  });

  api.get('/api/mailboxes/:id/api-keys', {
    schema: {
      operationId: 'listApiKeys',
      summary: "A mailbox's API keys (prefixes only)",
      tags: ['Mailboxes'],
      security,
      params: uuidParam,
      response: { 200: z.array(apiKeyBody).describe('Every key, revoked ones too'), ...errorResponses(401, 429, 503) },
    },
    handler: async (request) => (await listApiKeys(rt, request.actor, request.params.id)).map(presentApiKey),
  });

  api.post('/api/mailboxes/:id/api-keys', {
    schema: {
      operationId: 'createApiKey',
      summary: 'Add an API key (rotation)',
      tags: ['Mailboxes'],
      security,
      params: uuidParam,
      body: createApiKeyInput,
      response: {
        201: createdApiKeyBody.describe('Created; the key is shown only here'),
        ...errorResponses(400, 401, 403, 404, 415, 429),
      },
    },
    handler: async (request, reply) => {
      const { apiKey, record } = await createApiKey(rt, request.actor, request.params.id, { name: request.body?.name });
      return reply.status(201).send({ ...presentApiKey(record), api_key: apiKey });
    },
  });

  api.post('/api/api-keys/:id/revoke', {
    schema: {
      operationId: 'revokeApiKey',
      summary: 'Revoke an API key, now or after a grace period',
      tags: ['Mailboxes'],
      security,
      params: uuidParam,
      body: revokeApiKeyInput,
      response: {
        200: apiKeyBody.describe('The key, with when it stops working'),
        ...errorResponses(400, 401, 403, 404, 409, 415, 429),
      },
    },
    handler: async (request) =>
      presentApiKey(
        await revokeApiKey(rt, request.actor, request.params.id, { graceSeconds: request.body?.grace_seconds }),
      ),
  });
}
