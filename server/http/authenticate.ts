/**
 * Who is calling the management API: the operator token from `Authorization: Bearer`.
 * Routes do not decide permissions; the services they call do (auth/roles.ts).
 */
import type { FastifyRequest } from 'fastify';
import { authenticate } from '../auth/accessTokens.ts';
import type { Actor } from '../auth/roles.ts';
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

export function makeAuthenticateHook(rt: Pick<Runtime, 'pool'>) {
  return async (request: FastifyRequest) => {
    request.actor = await authenticate(rt, bearerToken(request));
  };
}
