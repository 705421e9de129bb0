/**
 * Security headers on every response (@fastify/helmet): a strict Content-Security-Policy
 * (scripts only from this origin, no inline script, no eval, nothing framed, no plugins),
 * `X-Frame-Options: DENY`, `nosniff`, `Referrer-Policy: no-referrer`, and, on requests
 * that reached Hookpost over TLS (directly or, with HOOKPOST_TRUST_PROXY, through a
 * proxy), Strict-Transport-Security. Pages that need more say exactly what, per route:
 * ReDoc injects its styles and runs its search in a blob worker, GraphiQL is one inline
 * script allowed by its hash (graphql/graphiqlPage.ts).
 */
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

type Directives = Record<string, string[]>;

/** What every page gets: enough for the dashboard and Swagger UI. */
export const baseDirectives: Directives = {
  'default-src': ["'self'"],
  'base-uri': ["'none'"],
  'connect-src': ["'self'"],
  'font-src': ["'self'", 'data:'],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'img-src': ["'self'", 'data:'],
  'manifest-src': ["'self'"],
  'object-src': ["'none'"],
  'script-src': ["'self'"],
  'script-src-attr': ["'none'"],
  'style-src': ["'self'"],
  'worker-src': ["'self'"],
};

/** The policy with some directives extended (sources added to the base ones). */
export function contentSecurityPolicy(extra: Directives = {}): string {
  const directives: Directives = { ...baseDirectives };
  for (const [name, sources] of Object.entries(extra)) directives[name] = [...(directives[name] ?? []), ...sources];
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');
}

/** HSTS: half a year; not for subdomains, which Hookpost does not own. */
const HSTS = 'max-age=15552000';

export async function registerSecurityHeaders(app: FastifyInstance) {
  const policy = contentSecurityPolicy();
  await app.register(helmet, {
    global: true,
    // One header string for every response, rather than helmet building it each time.
    contentSecurityPolicy: false,
    strictTransportSecurity: false,
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('content-security-policy', policy);
    if (request.protocol === 'https') reply.header('strict-transport-security', HSTS);
    done();
  });
}
