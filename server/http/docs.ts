/**
 * The REST API's OpenAPI document, generated from the routes' zod schemas, at
 * /openapi.json, with Swagger UI at /docs and ReDoc at /redoc. Everything is served
 * locally (node_modules, and ReDoc's bundle copied by the build), under the strict
 * Content-Security-Policy of every page (securityHeaders.ts), which keeps them from
 * loading anything from elsewhere.
 */
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { SESSION_COOKIE } from '../auth/sessions.ts';
import { fromRoot } from '../projectRoot.ts';
import { receiverWebhooks } from './receiverRequest.ts';
import { contentSecurityPolicy } from './securityHeaders.ts';
import { usedComponentSchemas } from './usedComponents.ts';

const require = createRequire(import.meta.url);
/** Swagger UI styles elements as it renders them; its scripts are files like any other. */
const SWAGGER_CSP = contentSecurityPolicy({ 'style-src': ["'unsafe-inline'"] });
/** ReDoc injects its styles (styled-components) and runs its search in a blob worker. */
const REDOC_CSP = contentSecurityPolicy({ 'style-src': ["'unsafe-inline'"], 'worker-src': ['blob:'] });

export async function registerDocs(app: FastifyInstance) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Hookpost API',
        version: '0.1.0',
        description:
          'Producers send events to a mailbox (`POST /webhooks/{mailbox_id}` with `x-api-key`); Hookpost stores them, then delivers ' +
          'them to the mailbox endpoints with retries and Standard Webhooks signatures. The management API needs an operator access ' +
          'token (`Authorization: Bearer hpt_…`) with a role: viewer (read), operator (change, retry) or admin. Errors are always ' +
          '`{"error": {"code", "message"}}`. Lists are JSON arrays; the next page is in the `Link` and `x-next-cursor` headers. ' +
          'What endpoints receive is under `webhooks`. The same data and more are in the GraphQL API at /graphql.',
        license: { name: 'MIT', identifier: 'MIT' },
      },
      servers: [
        {
          url: '{scheme}://{host}',
          description: 'Your Hookpost (`npm start` listens on http://127.0.0.1:8000)',
          variables: {
            scheme: { enum: ['http', 'https'], default: 'http' },
            host: { default: 'localhost:8000', description: 'Host and port of the API' },
          },
        },
      ],
      tags: [
        { name: 'Ingest', description: 'Producers send events to a mailbox with its API key.' },
        { name: 'Events', description: 'Accepted events, their deliveries and attempts; retries.' },
        { name: 'Mailboxes', description: 'Producers and their API keys.' },
        {
          name: 'Endpoints',
          description: 'Where a mailbox delivers: URL, filter, signing secret, retry policy, limits, health, pause.',
        },
        { name: 'Replays', description: 'Failed deliveries (dead letters) and bulk replays of them.' },
        { name: 'Erasures', description: "Erasing a mailbox's events by filter, in the background (admin)." },
        { name: 'Session', description: "The dashboard's sign-in." },
        { name: 'Access tokens', description: "Operators' credentials and roles (admin)." },
        { name: 'Audit', description: 'Who changed what, through the API (admin).' },
        { name: 'Receiving', description: 'What your endpoints receive, and how to check it.' },
      ],
      webhooks: receiverWebhooks,
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key', description: "The mailbox's API key (hpk_…)" },
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'An operator access token (hpt_…)' },
          sessionCookie: {
            type: 'apiKey',
            in: 'cookie',
            name: SESSION_COOKIE,
            description: "The dashboard's session cookie, set by `POST /api/session`",
          },
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: usedComponentSchemas,
  });
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { validatorUrl: null, deepLinking: true },
    staticCSP: false,
  });
  app.addHook('onSend', async (request, reply) => {
    if (/^\/redoc(\/|$)/.test(request.url)) reply.header('content-security-policy', REDOC_CSP);
    else if (/^\/docs(\/|$)/.test(request.url)) reply.header('content-security-policy', SWAGGER_CSP);
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.get('/redoc', { schema: { hide: true } }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Hookpost API reference</title>
    <style>body { margin: 0; }</style>
  </head>
  <body>
    <redoc spec-url="/openapi.json" hide-download-button="false"></redoc>
    <script src="/redoc/redoc.standalone.js"></script>
  </body>
</html>`),
  );

  // The build copies ReDoc's bundle here (server/tools/ensureBuilt.ts): ReDoc itself is
  // only a development dependency.
  const vendored = fromRoot('dist', 'vendor', 'redoc.standalone.js');
  const redocBundle = existsSync(vendored) ? vendored : require.resolve('redoc/bundles/redoc.standalone.js');
  // The bundle shows Redocly's logo from their CDN, which the policy (rightly) refuses:
  // served without it, the page loads nothing from elsewhere and reports no violation.
  let redocScript: Promise<string> | null = null;
  const loadRedoc = () =>
    (redocScript ??= fs
      .readFile(redocBundle, 'utf8')
      .then((source) => source.replaceAll('https://cdn.redoc.ly/redoc/logo-mini.svg', '')));
  app.get('/redoc/redoc.standalone.js', { schema: { hide: true } }, async (_request, reply) =>
    reply
      .type('application/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=86400')
      .send(await loadRedoc()),
  );
}
