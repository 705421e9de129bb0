/**
 * Where a request carries its caller's credential (HTTP requests and WebSocket upgrades
 * alike): the operator token in `Authorization: Bearer`, else the dashboard's session
 * cookie. Resolving the caller is the HTTP layer's gate (http/authenticate.ts), which also
 * checks where a cookie comes from and limits failed attempts. Permissions are decided by
 * the services (roles.ts).
 */
import { SESSION_COOKIE } from './sessions.ts';

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
