/**
 * Which requests may use the dashboard's session cookie. The cookie is SameSite=Strict,
 * but a "site" is the registrable domain, not the origin: a page on another port or
 * another subdomain of the same host is same-site, and the browser sends it the cookie.
 * So a cookie-authenticated request must also come from Hookpost's own origin (or one
 * configured in HOOKPOST_ALLOWED_ORIGINS), as the browser says in `Origin`, or, where a
 * browser sends no Origin (a plain GET), in `Sec-Fetch-Site`. WebSocket upgrades always
 * carry Origin. Tools that are not browsers send neither, and cannot be made to send a
 * victim's cookie anyway.
 *
 * State-changing requests authenticated by the cookie must also send JSON (or no body):
 * `text/plain`, form and multipart bodies are what a cross-site form can send without a
 * CORS preflight. Bearer-token callers are not concerned: browsers never attach those by
 * themselves.
 */
import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';

export type OriginRequest = Pick<FastifyRequest, 'headers' | 'method' | 'protocol' | 'host'>;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The origin this request was addressed to, as a browser on Hookpost's own page would name it. */
export function ownOrigin(request: Pick<FastifyRequest, 'protocol' | 'host'>): string | null {
  try {
    return new URL(`${request.protocol}://${request.host}`).origin;
  } catch {
    return null;
  }
}

function normalised(origin: string): string | null {
  try {
    return new URL(origin).origin;
  } catch {
    return null;
  }
}

/** Null when the request may come from where it says it comes from, else why not. */
export function foreignOrigin(request: OriginRequest, allowedOrigins: readonly string[]): string | null {
  const origin = request.headers.origin;
  if (origin !== undefined) {
    const from = origin === 'null' ? null : normalised(origin);
    if (from && (from === ownOrigin(request) || allowedOrigins.includes(from))) return null;
    return `it comes from ${origin === 'null' ? 'an opaque origin' : origin}`;
  }
  const site = request.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site')
    return `it comes from another ${site === 'same-site' ? 'origin of this site' : 'site'}`;
  return null;
}

const isJson = (contentType: string) => {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type);
};

/** Whether a request carries a body (a length above zero, or chunked). */
const hasBody = (request: OriginRequest) =>
  request.headers['transfer-encoding'] !== undefined || Number(request.headers['content-length'] ?? 0) > 0;

/** Throws unless a request may be authenticated by the session cookie (see above). */
export function assertCookieAllowed(request: OriginRequest, allowedOrigins: readonly string[]): void {
  const foreign = foreignOrigin(request, allowedOrigins);
  if (foreign)
    throw new AppError(
      'forbidden',
      `The session cookie is only accepted from Hookpost's own pages, and ${foreign}. Tools send "Authorization: Bearer <access token>".`,
    );
  if (SAFE_METHODS.has(request.method)) return;
  const contentType = request.headers['content-type'];
  if (contentType !== undefined ? !isJson(contentType) : hasBody(request))
    throw new AppError(
      'unsupported_media_type',
      'With the session cookie, a request that changes something must send application/json (or no body).',
    );
}
