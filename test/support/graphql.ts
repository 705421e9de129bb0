/**
 * A small GraphQL client for tests: operations over HTTP POST, and subscriptions over
 * Server-Sent Events (graphql-sse, as browsers use it) or WebSocket (graphql-ws), each
 * collecting payloads so a test can wait for the one it expects.
 */
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { TEST_ADMIN_TOKEN, type TestHookpost } from './hookpost.ts';

export interface GraphQLResponse<T = any> {
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string } }[];
}

export async function gql<T = any>(
  hookpost: Pick<TestHookpost, 'baseUrl'>,
  query: string,
  variables: Record<string, unknown> = {},
  options: { token?: string | null } = {},
): Promise<GraphQLResponse<T>> {
  const token = options.token === undefined ? TEST_ADMIN_TOKEN : options.token;
  const response = await fetch(`${hookpost.baseUrl}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLResponse<T>;
}

/** The data of a successful operation; throws with the errors otherwise. */
export async function gqlData<T = any>(
  hookpost: Pick<TestHookpost, 'baseUrl'>,
  query: string,
  variables: Record<string, unknown> = {},
  options: { token?: string | null } = {},
): Promise<T> {
  const result = await gql<T>(hookpost, query, variables, options);
  if (result.errors?.length || !result.data) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
  return result.data;
}

/** The codes of the errors of an operation, in order. */
export const errorCodes = (result: GraphQLResponse) => (result.errors ?? []).map((error) => error.extensions?.code);

export interface Subscription<T = any> {
  payloads: GraphQLResponse<T>[];
  /** Resolves with the payloads once `predicate` holds for what arrived so far. */
  until(predicate: (payloads: GraphQLResponse<T>[]) => boolean, timeoutMs?: number): Promise<GraphQLResponse<T>[]>;
  /** Resolves when the server completes the subscription, or it fails. */
  completed: Promise<void>;
  /** Why it failed (a GraphQL error list, or a WebSocket CloseEvent), once it has. */
  readonly failure: unknown;
  close(): Promise<void>;
}

function collector<T>(
  start: (sink: { next(value: GraphQLResponse<T>): void; error(error: unknown): void; complete(): void }) => () => void,
  dispose: () => Promise<void> | void,
): Subscription<T> {
  const payloads: GraphQLResponse<T>[] = [];
  const waiters = new Set<() => void>();
  let failure: unknown = null;
  let finish!: () => void;
  const completed = new Promise<void>((resolve) => (finish = resolve));
  const wake = () => {
    for (const waiter of [...waiters]) waiter();
  };
  const unsubscribe = start({
    next(value) {
      payloads.push(value);
      wake();
    },
    error(error) {
      failure = error;
      wake();
      finish();
    },
    complete() {
      finish();
    },
  });
  return {
    payloads,
    completed,
    get failure() {
      return failure;
    },
    until(predicate, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (predicate(payloads)) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(payloads.slice());
          } else if (failure) {
            waiters.delete(check);
            clearTimeout(timer);
            reject(failure instanceof Error ? failure : new Error(JSON.stringify(failure)));
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `The expected subscription payloads did not arrive within ${timeoutMs} ms; got ${JSON.stringify(payloads)}.`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async close() {
      unsubscribe();
      await dispose();
    },
  };
}

export function subscribeSse<T = any>(
  hookpost: Pick<TestHookpost, 'baseUrl'>,
  query: string,
  variables: Record<string, unknown> = {},
  options: { token?: string | null } = {},
): Subscription<T> {
  const token = options.token === undefined ? TEST_ADMIN_TOKEN : options.token;
  const client = createSseClient({
    url: `${hookpost.baseUrl}/graphql`,
    headers: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
  });
  return collector<T>(
    (sink) => client.subscribe<T>({ query, variables }, sink as never),
    () => client.dispose(),
  );
}

export function subscribeWs<T = any>(
  hookpost: Pick<TestHookpost, 'baseUrl'>,
  query: string,
  variables: Record<string, unknown> = {},
  options: { token?: string | null; viaConnectionParams?: boolean } = {},
): Subscription<T> {
  const token = options.token === undefined ? TEST_ADMIN_TOKEN : options.token;
  const authorization = token ? `Bearer ${token}` : undefined;
  const client = createWsClient({
    url: `${hookpost.baseUrl.replace(/^http/, 'ws')}/graphql`,
    retryAttempts: 0,
    lazy: false,
    // Errors reach the subscription's sink; the default would also print them.
    onNonLazyError: () => undefined,
    connectionParams: options.viaConnectionParams && authorization ? { authorization } : undefined,
    webSocketImpl: class extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { headers: !options.viaConnectionParams && authorization ? { authorization } : {} });
      }
    },
  });
  return collector<T>(
    (sink) => client.subscribe<T>({ query, variables }, sink as never),
    () => client.dispose(),
  );
}
