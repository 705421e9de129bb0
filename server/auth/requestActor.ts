/**
 * Who is calling the management API, REST and GraphQL alike (HTTP requests and
 * WebSocket upgrades): the operator token from `Authorization: Bearer`, else the
 * dashboard's session cookie. Permissions are decided by the services (roles.ts).
 */
import type { Runtime } from '../runtime.ts';
import { authenticate } from './accessTokens.ts';
import type { Actor } from './roles.ts';
import { SESSION_COOKIE, sessionActor } from './sessions.ts';

/** What a request shows of itself (a Fastify request, or a WebSocket's upgrade request). */
export interface CallerRequest {
  headers: { authorization?: string | undefined };
  cookies?: Record<string, string | undefined>;
}

export function bearerToken(request: Pick<CallerRequest, 'headers'>): string | undefined {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
}

export function sessionSecret(request: Pick<CallerRequest, 'cookies'>): string | undefined {
  return request.cookies?.[SESSION_COOKIE];
}

/** The actor of a request, or null when anonymous. */
export async function resolveActor(rt: Pick<Runtime, 'pool'>, request: CallerRequest): Promise<Actor | null> {
  const token = bearerToken(request);
  if (token) return authenticate(rt, token);
  return sessionActor(rt, sessionSecret(request));
}
