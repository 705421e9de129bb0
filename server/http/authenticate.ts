/**
 * Who is calling the management API, REST and GraphQL alike: the operator token from
 * `Authorization: Bearer`, else the dashboard's session cookie, which is only accepted
 * from Hookpost's own pages (originPolicy.ts). Failed authentications count against the
 * caller's IP and the credential's prefix, and past the limits the caller is refused
 * with 429 before anything is looked up (auth/authThrottle.ts). Routes do not decide
 * permissions; the services they call do (auth/roles.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authenticate } from '../auth/accessTokens.ts';
import { createAuthThrottle, type AuthThrottle } from '../auth/authThrottle.ts';
import type { Actor } from '../auth/roles.ts';
import { bearerToken, sessionSecret } from '../auth/requestActor.ts';
import { openSession, sessionActor } from '../auth/sessions.ts';
import { AppError, tooManyFailures } from '../errors.ts';
import type { Runtime } from '../runtime.ts';
import { assertCookieAllowed, foreignOrigin, type OriginRequest } from './originPolicy.ts';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
  interface FastifyInstance {
    authGate: AuthGate;
  }
}

export type GateRequest = OriginRequest & Pick<FastifyRequest, 'cookies' | 'ip'>;

export interface AuthGate {
  /**
   * The caller of a request (or of a WebSocket upgrade), or null when anonymous. `bearer`
   * stands in for the Authorization header (a WebSocket's connection_init payload).
   * Throws `forbidden`/`unsupported_media_type` for a cookie it may not use, and
   * `too_many_requests` past the limits on failures.
   */
  actorOf(request: GateRequest, bearer?: string): Promise<Actor | null>;
  /** Signing in to the dashboard: the token is checked under the same limits. */
  signIn(request: GateRequest, token: string): ReturnType<typeof openSession>;
  readonly throttle: AuthThrottle;
}

export function createAuthGate(rt: Pick<Runtime, 'pool' | 'config' | 'logger' | 'routes'>): AuthGate {
  const throttle = createAuthThrottle({
    pool: rt.pool,
    config: rt.config,
    logger: rt.logger.child({ component: 'auth' }),
    knownGood: (hash) => rt.routes.has(hash),
  });

  const checked = async (
    request: GateRequest,
    credential: string,
    lookup: () => Promise<Actor | null>,
  ): Promise<Actor | null> => {
    const attempt = { ip: request.ip, credential };
    const wait = throttle.wait(attempt);
    if (wait > 0) throw tooManyFailures(wait);
    const actor = await lookup();
    if (actor) {
      throttle.succeeded(credential);
      return actor;
    }
    const waitNow = await throttle.failed(attempt);
    if (waitNow > 0) throw tooManyFailures(waitNow);
    return null;
  };

  return {
    throttle,
    async actorOf(request, bearer) {
      const token = bearer ?? bearerToken(request);
      if (token) return checked(request, token, () => authenticate(rt, token));
      const secret = sessionSecret(request);
      if (!secret) return null;
      assertCookieAllowed(request, rt.config.allowedOrigins);
      return checked(request, secret, () => sessionActor(rt, secret));
    },
    async signIn(request, token) {
      // A page elsewhere must not sign a browser in (to an account of its choosing).
      const foreign = foreignOrigin(request, rt.config.allowedOrigins);
      if (foreign) throw new AppError('forbidden', `Sign in from Hookpost's own pages; ${foreign}.`);
      let opened: Awaited<ReturnType<typeof openSession>> | null = null;
      await checked(request, token, async () => {
        try {
          opened = await openSession(rt, token, { ip: request.ip });
          return opened.actor;
        } catch (error) {
          if (error instanceof AppError && error.code === 'unauthenticated') return null;
          throw error;
        }
      });
      if (!opened) throw new AppError('unauthenticated', 'That access token is not valid (or was revoked).');
      return opened;
    },
  };
}

/** The onRequest hook that sets `request.actor`, with the app's gate (see app.ts). */
export function makeAuthenticateHook(app: FastifyInstance) {
  return async (request: FastifyRequest) => {
    request.actor = await app.authGate.actorOf(request);
  };
}
