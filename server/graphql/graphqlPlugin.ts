/**
 * Mounts GraphQL on the Fastify app at /graphql: queries and mutations over HTTP,
 * subscriptions over Server-Sent Events (yoga's default) and WebSocket (graphql-ws),
 * and GraphiQL for browsers.
 *
 * The caller is resolved by the same authenticate hook as the REST API (bearer token or
 * dashboard session cookie), for HTTP requests and for the WebSocket upgrade alike; a
 * WebSocket client that cannot send headers may instead put `authorization: "Bearer …"`
 * in its connection_init payload, which goes through the same resolveActor. A socket's
 * caller is resolved once, when it connects, so revoking its access token closes the
 * socket (4403): a client that reconnects is asked who it is again. When the server
 * closes, live subscriptions end, so they do not hold it open.
 */
import websocket from '@fastify/websocket';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ExecutionArgs } from 'graphql';
import { makeHandler } from 'graphql-ws/use/@fastify/websocket';
import type { Actor } from '../auth/roles.ts';
import { revokes } from '../db/changeBus.ts';
import { resolveActor } from '../auth/requestActor.ts';
import type { Runtime } from '../runtime.ts';
import { createHookpostYoga, GRAPHQL_PATH, type HookpostYoga } from './yoga.ts';

export function graphqlPlugin(rt: Runtime) {
  return async (app: FastifyInstance) => {
    const yoga = createHookpostYoga(rt);
    const closing = new AbortController();
    app.addHook('preClose', async () => closing.abort());
    app.addHook('onRequest', async (request) => {
      request.actor = await resolveActor(rt, request);
    });
    await app.register(websocket);

    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      const response = await yoga.handleNodeRequestAndResponse(request, reply, {
        actor: request.actor,
        shutdown: closing.signal,
      });
      response.headers.forEach((value, name) => reply.header(name, value));
      reply.status(response.status);
      return reply.send(response.body);
    };
    // A GET is a query, GraphiQL, an SSE subscription, or a WebSocket upgrade.
    app.route({
      method: 'GET',
      url: GRAPHQL_PATH,
      schema: { hide: true },
      handler,
      wsHandler: graphqlOverWebSocket(rt, yoga, closing.signal),
    });
    app.route({ method: ['POST', 'OPTIONS'], url: GRAPHQL_PATH, schema: { hide: true }, handler });
  };
}

interface Enveloped {
  execute: (args: ExecutionArgs) => unknown;
  subscribe: (args: ExecutionArgs) => unknown;
}

function graphqlOverWebSocket(rt: Runtime, yoga: HookpostYoga, shutdown: AbortSignal) {
  return makeHandler<Record<string, unknown> | undefined, { actor: Actor | null }>({
    onConnect: async (ctx) => {
      const given = ctx.connectionParams?.['authorization'] ?? ctx.connectionParams?.['Authorization'];
      const actor =
        typeof given === 'string'
          ? await resolveActor(rt, { headers: { authorization: given }, cookies: {} })
          : ctx.extra.request.actor;
      ctx.extra.actor = actor;
      if (actor) {
        const { socket } = ctx.extra;
        const off = rt.changes.subscribe((changes) => {
          if (changes.some((change) => revokes(change, actor.tokenId)))
            socket.close(4403, 'Forbidden: the access token was revoked');
        });
        socket.once('close', off);
      }
      // Unauthenticated connections are accepted; their operations fail with `unauthenticated`.
      return true;
    },
    onSubscribe: async (ctx, _id, payload) => {
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
