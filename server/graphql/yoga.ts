/**
 * graphql-yoga over the schema: context, error masking and GraphiQL. GraphiQL is served
 * from the installed @graphql-yoga/render-graphiql bundle (inlined into the page), so
 * it works without reaching any CDN. Mounted on Fastify by graphqlPlugin.ts.
 */
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { Actor } from '../auth/roles.ts';
import type { Runtime } from '../runtime.ts';
import type { GraphQLContext } from './context.ts';
import { makeMaskError } from './errors.ts';
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

export function createHookpostYoga(rt: Runtime): HookpostYoga {
  const log = rt.logger.child({ component: 'graphql' });
  // The GraphiQL page is ~9 MB of inlined JavaScript: load it on the first visit (not at
  // every start of every process) and render it once.
  let graphiqlPage: Promise<string> | null = null;
  return createYoga<ServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    context: ({ actor, shutdown }) => ({ rt, actor, shutdown }),
    plugins: [useRequireActor()],
    maskedErrors: {
      maskError: makeMaskError(log),
      errorMessage: 'Something went wrong on our side; it was logged.',
      isDev: false,
    },
    // Same origin only: the dashboard is served by this process; tools are not browsers.
    cors: false,
    landingPage: false,
    graphiql: {
      title: 'Hookpost GraphQL',
      defaultQuery: GRAPHIQL_QUERY,
      headers: JSON.stringify({ Authorization: 'Bearer ' }),
      subscriptionsProtocol: 'SSE',
    },
    renderGraphiQL: (options) =>
      (graphiqlPage ??= import('@graphql-yoga/render-graphiql')
        .then(({ renderGraphiQL }) => renderGraphiQL(options))
        .catch((error: unknown) => {
          graphiqlPage = null;
          throw error;
        })),
    logging: {
      debug: (...args: unknown[]) => log.debug(args.map(String).join(' ')),
      info: (...args: unknown[]) => log.info(args.map(String).join(' ')),
      warn: (...args: unknown[]) => log.warn(args.map(String).join(' ')),
      error: (...args: unknown[]) => log.error(args.map(String).join(' ')),
    },
  });
}
