/**
 * Signing in to the dashboard: trade an access token for a session cookie, ask who is
 * signed in, sign out. The cookie is httpOnly (scripts cannot read it) and
 * SameSite=Strict (other sites cannot make the browser send it).
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { authorize, operatorRoles } from '../../auth/roles.ts';
import { closeSession, SESSION_COOKIE, SESSION_TTL_MS } from '../../auth/sessions.ts';
import type { Runtime } from '../../runtime.ts';
import { sessionSecret } from '../../auth/requestActor.ts';
import { errorResponses } from '../schemas.ts';

const whoAmI = z.object({ name: z.string().describe("The access token's name"), role: z.enum(operatorRoles) }).meta({
  id: 'Operator',
  description: 'Who is signed in, and their role.',
  examples: [{ name: 'admin', role: 'admin' }],
});
/** The session routes read the dashboard's cookie, or a bearer token like the rest of the API. */
const signedIn: { [scheme: string]: string[] }[] = [{ sessionCookie: [] }, { bearerAuth: [] }];

const signInInput = z
  .object({ token: z.string().describe('An access token (hpt_…)') })
  .meta({ id: 'SignIn', examples: [{ token: 'hpt_…' }] });

export async function sessionRoutes(app: FastifyInstance, rt: Runtime) {
  const api = app.withTypeProvider<ZodTypeProvider>();

  api.post('/api/session', {
    schema: {
      operationId: 'signIn',
      summary: 'Sign in with an access token (sets the dashboard session cookie)',
      tags: ['Session'],
      // Public: the token in the body is the credential.
      security: [],
      body: signInInput,
      response: {
        200: whoAmI.meta({
          description: 'Signed in',
          headers: {
            'set-cookie': {
              type: 'string',
              description: `The session cookie: httpOnly, SameSite=Strict, for ${SESSION_TTL_MS / 3600_000} hours (less when the token expires sooner).`,
            },
          },
        }),
        ...errorResponses(400, 401, 403, 415, 422, 429),
      },
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
    schema: {
      operationId: 'getSession',
      summary: 'Who is signed in',
      tags: ['Session'],
      security: signedIn,
      response: { 200: whoAmI.describe('The caller'), ...errorResponses(401, 429) },
    },
    handler: async (request) => {
      authorize(request.actor, 'viewer');
      return { name: request.actor.name, role: request.actor.role };
    },
  });

  api.delete('/api/session', {
    schema: {
      operationId: 'signOut',
      summary: 'Sign out (ends the session of the cookie sent, if any)',
      tags: ['Session'],
      security: signedIn,
      // Signing out itself always succeeds; the refusals are those of the cookie and body checks.
      response: { 204: z.null().describe('Signed out'), ...errorResponses(403, 415, 429) },
    },
    handler: async (request, reply) => {
      await closeSession(rt, sessionSecret(request));
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send(null);
    },
  });
}
