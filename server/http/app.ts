/**
 * Builds the HTTP app (REST, docs, dashboard) without listening, so tests can drive it
 * with `app.inject` or on port 0. hookpost.ts listens.
 */
import http from 'node:http';
import fastifyCookie from '@fastify/cookie';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyServerOptions,
} from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { AppError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Runtime } from '../runtime.ts';
import { createAuthGate, makeAuthenticateHook } from './authenticate.ts';
import { registerCompression } from './compression.ts';
import { registerDashboard } from './dashboard.ts';
import { registerDocs } from './docs.ts';
import { answerClientError } from './clientErrors.ts';
import { installErrorHandler } from './errorHandler.ts';
import { installNotFoundHandler } from './notFound.ts';
import { recordRoutes } from './routeTable.ts';
import { registerSecurityHeaders } from './securityHeaders.ts';
import { accessTokenRoutes } from './routes/accessTokens.ts';
import { auditRoutes } from './routes/audit.ts';
import { endpointRoutes } from './routes/endpoints.ts';
import { replayRoutes } from './routes/replays.ts';
import { erasureRoutes } from './routes/erasures.ts';
import { ingestRoutes } from './routes/ingest.ts';
import { mailboxRoutes } from './routes/mailboxes.ts';
import { healthRoutes } from './routes/health.ts';
import { sessionRoutes } from './routes/session.ts';
import { webhookRoutes } from './routes/webhooks.ts';

export interface HttpAppOptions {
  /** Extra routes mounted on the same app (GraphQL). */
  plugins?: ((app: FastifyInstance) => Promise<void>)[];
}

/** Management requests are small JSON documents; nothing there needs more. */
const MANAGEMENT_BODY_LIMIT = 256 * 1024;

export async function createHttpApp(rt: Runtime, options: HttpAppOptions = {}): Promise<FastifyInstance> {
  const { config } = rt;
  const app = Fastify({
    // Slow or idle clients are cut off: headers and whole requests have deadlines (checked
    // every second, not Node's default 30 s), idle keep-alive sockets close, and
    // connections beyond the cap are refused.
    serverFactory: (handler) => {
      const server = http.createServer(
        {
          connectionsCheckingInterval: 1_000,
          headersTimeout: config.httpHeadersTimeoutMs,
          requestTimeout: config.httpRequestTimeoutMs,
          keepAliveTimeout: config.httpKeepAliveTimeoutMs,
        },
        handler,
      );
      server.maxConnections = config.httpMaxConnections;
      return server;
    },
    requestTimeout: config.httpRequestTimeoutMs,
    keepAliveTimeout: config.httpKeepAliveTimeoutMs,
    // What Node's parser refuses (headers too large, too slow) is answered in our error shape too.
    clientErrorHandler: answerClientError,
    loggerInstance: rt.logger.child({ component: 'http' }) as FastifyBaseLogger,
    // Per-request lines would dominate the log at thousands of events/s; see onResponse below.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => newId(),
    requestIdHeader: 'x-request-id',
    bodyLimit: rt.config.maxBodyBytes,
    // Behind a proxy, who the client is and whether it came over TLS (Secure cookies, HSTS).
    // (Any of its forms is accepted; the cast only picks one of Fastify's typed overloads.)
    trustProxy: rt.config.trustProxy as Extract<FastifyServerOptions['trustProxy'], string[]>,
  });
  recordRoutes(app);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app, {
    maxBytes: Math.max(4 * config.maxBodyBytes, 8 * 1024 * 1024),
    timeoutMs: config.httpRequestTimeoutMs,
  });
  app.decorateRequest('actor', null);
  app.decorate('authGate', createAuthGate(rt));
  await registerSecurityHeaders(app);
  await app.register(fastifyCookie);

  await registerDocs(app);
  await app.register(async (ingest) => ingestRoutes(ingest, rt));
  // Everything registered from here on: management JSON, GraphQL, pages.
  await registerCompression(app);
  await app.register(async (management) => {
    // Management routes read JSON only: a body of any other type is 415 on every one of
    // them, actions included (Fastify alone would read text/plain as a string, which each
    // route's schema then refused its own way, or ignored). An empty body is no body,
    // whatever its Content-Type (many clients send `application/json` by default).
    const json = management.getDefaultJsonParser('error', 'error');
    management.removeAllContentTypeParsers();
    management.addContentTypeParser(
      'application/json',
      { parseAs: 'string', bodyLimit: MANAGEMENT_BODY_LIMIT },
      (request, body, done) => (body.length === 0 ? done(null, undefined) : json(request, String(body), done)),
    );
    management.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: MANAGEMENT_BODY_LIMIT },
      (_request, body, done) =>
        body.length === 0
          ? done(null, undefined)
          : done(
              new AppError('unsupported_media_type', 'This Content-Type is not accepted here; send application/json.'),
            ),
    );
    management.addHook('onRequest', makeAuthenticateHook(app));
    await mailboxRoutes(management, rt);
    await endpointRoutes(management, rt);
    await replayRoutes(management, rt);
    await erasureRoutes(management, rt);
    await webhookRoutes(management, rt);
    await sessionRoutes(management, rt);
    await accessTokenRoutes(management, rt);
    await auditRoutes(management, rt);
  });
  await app.register(async (health) => healthRoutes(health, rt));
  for (const plugin of options.plugins ?? []) await app.register(plugin);
  const spaIndex = await registerDashboard(app);
  installNotFoundHandler(app, { spaIndex });

  // Callback hooks, not async ones: every request runs them, and a promise each is not free.
  // The path only: a query string may carry a GraphQL query and its variables.
  app.addHook('onResponse', (request, reply, done) => {
    const url = request.url.split('?')[0];
    if (reply.statusCode >= 500)
      request.log.warn({ method: request.method, url, statusCode: reply.statusCode }, 'Request failed.');
    else
      request.log.debug(
        { method: request.method, url, statusCode: reply.statusCode, ms: reply.elapsedTime },
        'Request served.',
      );
    done();
  });
  return app;
}
