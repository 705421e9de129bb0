/** Access tokens over REST (admin): list, create (the token is shown once), revoke. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createAccessToken, listAccessTokens, revokeAccessToken } from '../../auth/accessTokens.ts';
import { operatorRoles } from '../../auth/roles.ts';
import type { AccessToken } from '../../db/generated/prisma/client.ts';
import type { Runtime } from '../../runtime.ts';
import { errorResponses, uuidParam } from '../schemas.ts';

const security = [{ bearerAuth: [] }];
const time = z.string().meta({ format: 'date-time' }).nullable().describe('ISO 8601 time, or null');

const example = {
  id: '0193a5b0-0a1b-7c2d-8e3f-4a5b6c7d8e9f',
  name: 'deploy bot',
  role: 'operator',
  prefix: 'hpt_7Qm2',
  created_at: '2026-11-28T09:00:00.000Z',
  created_by: 'admin',
  last_used_at: '2026-11-28T10:20:00.000Z',
  expires_at: null,
  revoked_at: null,
} as const;

const accessTokenBody = z
  .object({
    id: z.string().meta({ format: 'uuid' }),
    name: z.string().describe('Who or what uses it'),
    role: z.enum(operatorRoles),
    prefix: z.string().describe('The first characters of the token, to recognise it'),
    created_at: z.string().meta({ format: 'date-time' }),
    created_by: z.string().nullable().describe('The name of the token it was made with; null: made at start-up'),
    last_used_at: time,
    expires_at: time.describe('When it stops working by itself; null: never'),
    revoked_at: time,
  })
  .meta({
    id: 'AccessToken',
    description: 'An operator access token; the token itself is shown once.',
    examples: [example],
  });

const createdAccessTokenBody = accessTokenBody
  .extend({ token: z.string().describe('The token (hpt_…). Shown only here: store it now.') })
  .meta({
    id: 'CreatedAccessToken',
    description: 'A new access token, shown once.',
    examples: [{ ...example, last_used_at: null, token: 'hpt_7Qm2xVb9LkR4sT1wZ8nC3eF6gH0jK5mP' }],
  });

const createAccessTokenInput = z
  .object({
    name: z.string(),
    role: z.enum(operatorRoles),
    expires_at: z.iso.datetime({ offset: true }).nullish().describe('ISO 8601 time in the future; default: never'),
  })
  .meta({ id: 'CreateAccessToken', examples: [{ name: 'deploy bot', role: 'operator' }] });

const iso = (date: Date | null) => date?.toISOString() ?? null;
const present = (token: AccessToken): z.infer<typeof accessTokenBody> => ({
  id: token.id,
  name: token.name,
  role: token.role,
  prefix: token.prefix,
  created_at: token.createdAt.toISOString(),
  created_by: token.createdByName,
  last_used_at: iso(token.lastUsedAt),
  expires_at: iso(token.expiresAt),
  revoked_at: iso(token.revokedAt),
});

export async function accessTokenRoutes(app: FastifyInstance, rt: Runtime) {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.get('/api/access-tokens', {
    schema: {
      operationId: 'listAccessTokens',
      summary: 'List access tokens, oldest first (admin)',
      tags: ['Access tokens'],
      security,
      querystring: z.object({ include_revoked: z.stringbool().default(false).describe('Also list revoked tokens') }),
      response: { 200: z.array(accessTokenBody).describe('Every access token'), ...errorResponses(401, 403, 429, 503) },
    },
    handler: async (request) =>
      (await listAccessTokens(rt, request.actor, { includeRevoked: request.query.include_revoked })).map(present),
  });

  api.post('/api/access-tokens', {
    schema: {
      operationId: 'createAccessToken',
      summary: 'Make an access token (admin)',
      description: 'Returns the token once: store it now.',
      tags: ['Access tokens'],
      security,
      body: createAccessTokenInput,
      response: {
        201: createdAccessTokenBody.describe('Made; the token is shown only here'),
        ...errorResponses(400, 401, 403, 415, 422, 429),
      },
    },
    handler: async (request, reply) => {
      const { name, role, expires_at } = request.body;
      const created = await createAccessToken(rt, request.actor, {
        name,
        role,
        expiresAt: expires_at ? new Date(expires_at) : null,
      });
      return reply.status(201).send({ ...present(created.record), token: created.token });
    },
  });

  api.post('/api/access-tokens/:id/revoke', {
    schema: {
      operationId: 'revokeAccessToken',
      summary: 'Revoke an access token at once (admin; not the one in use)',
      tags: ['Access tokens'],
      security,
      params: uuidParam,
      response: { 200: accessTokenBody.describe('The token, revoked'), ...errorResponses(401, 403, 404, 409, 429) },
    },
    handler: async (request) => present(await revokeAccessToken(rt, request.actor, request.params.id)),
  });
}
