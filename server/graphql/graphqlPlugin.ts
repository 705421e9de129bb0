/**
 * Mounts GraphQL on the Fastify app at /graphql: queries and mutations over HTTP,
 * subscriptions over Server-Sent Events (yoga's default) and WebSocket (graphql-ws),
 * and GraphiQL for browsers (where HOOKPOST_GRAPHIQL allows it).
 *
 * The caller is resolved by the same gate as the REST API (bearer token, or the
 * dashboard's session cookie from Hookpost's own pages only: http/authenticate.ts), for
 * HTTP requests and for the WebSocket upgrade alike; a WebSocket client that cannot send
 * headers may instead put `authorization: "Bearer …"` in its connection_init payload,
 * which goes through the same gate. A socket's caller is resolved once, when it
 * connects, so when that access ends (the token is revoked, the session signed out or
 * expired) the socket is closed (4403) and an SSE subscription ends: a client that
 * reconnects is asked who it is again. When the server closes, live subscriptions end,
 * so they do not hold it open. A WebSocket connection carries at most
 * HOOKPOST_LIVE_MAX_PER_CONNECTION operations at once (and each token its quota over
 * all connections: live/liveQuota.ts).
 */
import websocket from '@fastify/websocket';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import { makeHandler } from 'graphql-ws/use/@fastify/websocket';
import type { Actor } from '../auth/roles.ts';
import { AppError, coerceError, retryAfterOf, type ErrorCode } from '../errors.ts';
import { watchAccessEnd } from '../http/accessEnd.ts';
import { makeAuthenticateHook } from '../http/authenticate.ts';
import type { Runtime } from '../runtime.ts';
import { createGraphiQLPage } from './graphiqlPage.ts';
import { createHookpostYoga, GRAPHQL_PATH, type HookpostYoga } from './yoga.ts';

export function graphqlPlugin(rt: Runtime) {
  return async (app: FastifyInstance) => {
    const graphiqlPage = createGraphiQLPage();
    const yoga = createHookpostYoga(rt, graphiqlPage);
    const closing = new AbortController();
    app.addHook('preClose', async () => closing.abort());
    // First, so that its hooks see every upgrade, refused ones too (it ends their sockets).
    await app.register(websocket);
    app.addHook('onRequest', makeAuthenticateHook(app));
    // Refusals before yoga runs (cross-origin cookie, too many failures) in GraphQL's shape.
    app.setErrorHandler((error, _request, reply) => {
      if (!(error instanceof AppError)) throw error;
      const retryAfter = retryAfterOf(error);
      if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
      return reply
        .status(error.status)
        .send({ errors: [{ message: error.message, extensions: { code: error.code } }] });
    });

    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      const response = await yoga.handleNodeRequestAndResponse(request, reply, {
        actor: request.actor,
        shutdown: untilAccessEnds(rt, request, reply, closing.signal),
      });
      response.headers.forEach((value, name) => {
        reply.header(name, value);
      });
      if (response.headers.get('content-type')?.startsWith('text/html') && graphiqlPage.csp)
        reply.header('content-security-policy', graphiqlPage.csp);
      reply.status(response.status);
      return reply.send(response.body);
    };
    // A GET is a query, GraphiQL, an SSE subscription, or a WebSocket upgrade.
    app.route({
      method: 'GET',
      url: GRAPHQL_PATH,
      schema: { hide: true },
      handler,
      wsHandler: graphqlOverWebSocket(rt, app, yoga, closing.signal),
    });
    app.route({ method: ['POST', 'OPTIONS'], url: GRAPHQL_PATH, schema: { hide: true }, handler });
  };
}

/**
 * The signal that ends a request's live subscriptions: the server closing, or, for a
 * dashboard session, the session ending (a bearer token's revocation is the feeds' own
 * business, see live/liveFeeds.ts).
 */
function untilAccessEnds(rt: Runtime, request: FastifyRequest, reply: FastifyReply, closing: AbortSignal): AbortSignal {
  const actor = request.actor;
  if (!actor?.session) return closing;
  const ended = new AbortController();
  const stop = watchAccessEnd(rt.changes, actor, () => ended.abort());
  // The response, not the request: a request 'closes' once its body has been read.
  reply.raw.once('close', stop);
  return AbortSignal.any([closing, ended.signal]);
}

interface Enveloped {
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
}

function graphqlOverWebSocket(rt: Runtime, app: FastifyInstance, yoga: HookpostYoga, shutdown: AbortSignal) {
  return makeHandler<Record<string, unknown> | undefined, { actor: Actor | null }>({
    onConnect: async (ctx) => {
      const given = ctx.connectionParams?.['authorization'] ?? ctx.connectionParams?.['Authorization'];
      const bearer = typeof given === 'string' ? /^Bearer\s+(\S+)$/i.exec(given)?.[1] : undefined;
      const { socket, request } = ctx.extra;
      let actor: Actor | null;
      try {
        if (typeof given !== 'string') actor = request.actor;
        else actor = bearer ? await app.authGate.actorOf(request, bearer) : null;
      } catch (error) {
        const refusal = coerceError(error);
        socket.close(error instanceof AppError && error.status === 429 ? 4429 : 4403, refusal.message.slice(0, 120));
        return false;
      }
      ctx.extra.actor = actor;
      if (actor) {
        const stop = watchAccessEnd(rt.changes, actor, (reason) => socket.close(4403, `Forbidden: ${reason}`));
        socket.once('close', stop);
      }
      // Unauthenticated connections are accepted; their operations fail with `unauthenticated`.
      return true;
    },
    onSubscribe: async (ctx, _id, payload) => {
      // This operation is already counted among the connection's.
      const open = Object.keys(ctx.subscriptions).length;
      if (open > rt.config.liveMaxPerConnection)
        return [
          new GraphQLError(
            `This connection already has ${open - 1} operations open, the most allowed; complete one first.`,
            { extensions: { code: 'too_many_subscriptions' satisfies ErrorCode } },
          ),
        ];
      const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
        ...ctx,
        req: ctx.extra.request,
        socket: ctx.extra.socket,
        params: payload,
        actor: ctx.extra.actor ?? null,
        shutdown,
      });
      let document;
      try {
        document = parse(payload.query);
      } catch (error) {
        return [error as never];
      }
      const errors = validate(schema, document);
      if (errors.length > 0) return errors;
      const enveloped: Enveloped = { execute, subscribe };
      return {
        schema,
        document,
        operationName: payload.operationName,
        variableValues: payload.variables,
        contextValue: await contextFactory(),
        rootValue: enveloped,
      };
    },
    execute: (args) => (args.rootValue as Enveloped).execute(args) as never,
    subscribe: (args) => (args.rootValue as Enveloped).subscribe(args) as never,
  });
}
