/**
 * Signing in to the dashboard: trade an access token for a session cookie, ask who is
 * signed in, sign out. The cookie is httpOnly (scripts cannot read it) and
 * SameSite=Strict (other sites cannot make the browser send it).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize, operatorRoles } from '../../auth/roles.ts';
import { closeSession, SESSION_COOKIE } from '../../auth/sessions.ts';
import type { Runtime } from '../../runtime.ts';
import { sessionSecret } from '../../auth/requestActor.ts';
import { errorBody } from '../schemas.ts';

const whoAmI = z.object({ name: z.string().describe("The access token's name"), role: z.enum(operatorRoles) });

export async function sessionRoutes(app: FastifyInstance, rt: Runtime) {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.post('/api/session', {
    schema: {
      summary: 'Sign in with an access token (sets the dashboard session cookie)',
      tags: ['Session'],
      body: z.object({ token: z.string().describe('An access token (hpt_…)') }),
      response: { 200: whoAmI, 401: errorBody, 403: errorBody, 422: errorBody, 429: errorBody },
    },
    handler: async (request, reply) => {
      const { secret, actor, expiresAt } = await app.authGate.signIn(request, request.body.token);
      reply.setCookie(SESSION_COOKIE, secret, {
        httpOnly: true,
        sameSite: 'strict',
        secure: request.protocol === 'https',
        path: '/',
        // The session's own end: 12 hours, or sooner when its token expires sooner.
        maxAge: Math.max(0, Math.floor((expiresAt.getTime() - Date.now()) / 1000)),
      });
      return { name: actor.name, role: actor.role };
    },
  });

  api.get('/api/session', {
    schema: { summary: 'Who is signed in', tags: ['Session'], response: { 200: whoAmI, 401: errorBody } },
    handler: async (request) => {
      authorize(request.actor, 'viewer');
      return { name: request.actor.name, role: request.actor.role };
    },
  });

  api.delete('/api/session', {
    schema: { summary: 'Sign out', tags: ['Session'], response: { 204: z.null() } },
    handler: async (request, reply) => {
      await closeSession(rt, sessionSecret(request));
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    },
  });
}
