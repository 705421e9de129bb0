/**
 * The management API's authentication hook: resolves the caller of each request (bearer
 * token or session cookie, auth/requestActor.ts) into `request.actor`. Routes do not
 * decide permissions; the services they call do (auth/roles.ts).
 */
import type { FastifyRequest } from 'fastify';
import { resolveActor } from '../auth/requestActor.ts';
import type { Actor } from '../auth/roles.ts';
import type { Runtime } from '../runtime.ts';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
}

export function makeAuthenticateHook(rt: Pick<Runtime, 'pool'>) {
  return async (request: FastifyRequest) => {
    request.actor = await resolveActor(rt, request);
  };
}
