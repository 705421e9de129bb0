/**
 * Who is calling the management API, REST and GraphQL alike: the operator token from
 * `Authorization: Bearer`, else the dashboard's session cookie. Routes do not decide
 * permissions; the services they call do (auth/roles.ts).
 */
import type { FastifyRequest } from 'fastify';
import { authenticate } from '../auth/accessTokens.ts';
import type { Actor } from '../auth/roles.ts';
import { SESSION_COOKIE, sessionActor } from '../auth/sessions.ts';
import type { Runtime } from '../runtime.ts';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
}

export function bearerToken(request: Pick<FastifyRequest, 'headers'>): string | undefined {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
}

export function sessionSecret(request: Pick<FastifyRequest, 'cookies'>): string | undefined {
  return request.cookies?.[SESSION_COOKIE];
}

/** The actor of a request (or of a WebSocket upgrade request), or null when anonymous. */
export async function resolveActor(
  rt: Pick<Runtime, 'pool'>,
  request: Pick<FastifyRequest, 'headers' | 'cookies'>,
): Promise<Actor | null> {
  const token = bearerToken(request);
  if (token) return authenticate(rt, token);
  return sessionActor(rt, sessionSecret(request));
}

export function makeAuthenticateHook(rt: Pick<Runtime, 'pool'>) {
  return async (request: FastifyRequest) => {
    request.actor = await resolveActor(rt, request);
  };
}
