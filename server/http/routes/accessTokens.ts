/** Access tokens over REST (admin): list, create (the token is shown once), revoke. */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { createAccessToken, listAccessTokens, revokeAccessToken } from '../../auth/accessTokens.ts';
import { operatorRoles } from '../../auth/roles.ts';
import type { AccessToken } from '../../db/generated/prisma/client.ts';
import type { Runtime } from '../../runtime.ts';
import { errorBody, uuidParam } from '../schemas.ts';

const security = [{ bearerAuth: [] }];
const time = z.string().nullable().describe('ISO 8601 time, or null');

const accessTokenBody = z.object({
  id: z.string(),
  name: z.string().describe('Who or what uses it'),
  role: z.enum(operatorRoles),
  prefix: z.string().describe('The first characters of the token, to recognise it'),
  created_at: z.string(),
  created_by: z.string().nullable().describe('The name of the token it was made with; null: made at start-up'),
  last_used_at: time,
  expires_at: time.describe('When it stops working by itself; null: never'),
  revoked_at: time,
});

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
      summary: 'List access tokens, oldest first (admin)',
      tags: ['Access tokens'],
      security,
      querystring: z.object({ include_revoked: z.stringbool().default(false).describe('Also list revoked tokens') }),
      response: { 200: z.array(accessTokenBody), 401: errorBody, 403: errorBody },
    },
    handler: async (request) =>
      (await listAccessTokens(rt, request.actor, { includeRevoked: request.query.include_revoked })).map(present),
  });

  api.post('/api/access-tokens', {
    schema: {
      summary: 'Make an access token (admin)',
      description: 'Returns the token once: store it now.',
      tags: ['Access tokens'],
      security,
      body: z.object({
        name: z.string(),
        role: z.enum(operatorRoles),
        expires_at: z.iso.datetime({ offset: true }).nullish().describe('ISO 8601 time in the future; default: never'),
      }),
      response: { 201: accessTokenBody.extend({ token: z.string() }), 401: errorBody, 403: errorBody, 422: errorBody },
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
      summary: 'Revoke an access token at once (admin; not the one in use)',
      tags: ['Access tokens'],
      security,
      params: uuidParam,
      response: { 200: accessTokenBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody },
    },
    handler: async (request) => present(await revokeAccessToken(rt, request.actor, request.params.id)),
  });
}
