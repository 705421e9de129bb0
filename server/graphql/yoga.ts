/**
 * graphql-yoga over the schema: context, limits on operations (queryLimits.ts), error
 * masking and GraphiQL (graphiqlPage.ts).
 * GraphiQL, and introspection without a token, are on only where HOOKPOST_GRAPHIQL says
 * (by default when Hookpost listens on loopback only). Mounted on Fastify by
 * graphqlPlugin.ts.
 */
import { GraphQLError } from 'graphql';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { Actor } from '../auth/roles.ts';
import type { Runtime } from '../runtime.ts';
import type { GraphQLContext } from './context.ts';
import { useBodyBudget } from './bodyBudget.ts';
import { makeMaskError } from './errors.ts';
import { createLiveFeeds } from './live/liveFeeds.ts';
import { createLiveQuota } from './live/liveQuota.ts';
import { createLiveReads } from './live/liveReads.ts';
import type { GraphiQLPage } from './graphiqlPage.ts';
import { useQueryLimits } from './queryLimits.ts';
import { useRequireActor } from './requireActor.ts';
import { schema } from './schema/index.ts';

/** What the HTTP layer hands yoga with each request or WebSocket operation. */
export interface ServerContext {
  actor: Actor | null;
  shutdown?: AbortSignal;
}

export type HookpostYoga = YogaServerInstance<ServerContext, GraphQLContext>;

export const GRAPHQL_PATH = '/graphql';

const GRAPHIQL_QUERY = `# Hookpost GraphQL. Signed in to the dashboard? Just run.
# Else put an access token in Headers: {"Authorization": "Bearer hpt_..."}

query RecentEvents {
  events(first: 10) {
    edges {
      node { trackingNumber eventType status receivedAt mailbox { name } }
    }
  }
}
`;

export function createHookpostYoga(rt: Runtime, graphiqlPage: GraphiQLPage): HookpostYoga {
  const log = rt.logger.child({ component: 'graphql' });
  const liveFeeds = createLiveFeeds(rt.changes, { quota: createLiveQuota(rt.config.liveMaxPerToken) });
  const liveReads = createLiveReads();
  return createYoga<ServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    context: ({ actor, shutdown }) => ({ rt, actor, shutdown, liveFeeds, liveReads }),
    // useQueryLimits last: its heavy operations' turns are taken only by operations that will run.
    plugins: [useRequireActor({ openIntrospection: rt.config.graphiql }), useBodyBudget(), useQueryLimits(schema)],
    maskedErrors: {
      maskError: makeMaskError(log),
      errorMessage: 'Something went wrong on our side; it was logged.',
      isDev: false,
    },
    // Same origin only: the dashboard is served by this process; tools are not browsers.
    cors: false,
    landingPage: false,
    graphiql: rt.config.graphiql
      ? {
          title: 'Hookpost GraphQL',
          defaultQuery: GRAPHIQL_QUERY,
          headers: JSON.stringify({ Authorization: 'Bearer ' }),
          subscriptionsProtocol: 'SSE',
        }
      : false,
    renderGraphiQL: (options) => graphiqlPage.render(options),
    logging: {
      debug: (...args: unknown[]) => log.debug(args.map(String).join(' ')),
      info: (...args: unknown[]) => log.info(args.map(String).join(' ')),
      warn: (...args: unknown[]) => log.warn(args.map(String).join(' ')),
      // yoga logs here every error it masks, printed with the query's source (and so any
      // secret written inline in it). makeMaskError has logged what it had to already.
      error: (...args: unknown[]) => {
        if (!args.some((arg) => arg instanceof GraphQLError))
          log.error(args.map((arg) => (arg instanceof Error ? arg.message : String(arg))).join(' '));
      },
    },
  });
}
