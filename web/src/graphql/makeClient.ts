/**
 * The urql client of a signed-in session. Queries and mutations go over HTTP POST (the
 * session cookie rides along); subscriptions share one graphql-ws WebSocket on the same
 * /graphql path, which retries forever with backoff and re-subscribes by itself. A ping
 * every 10 s that gets no pong within 10 s closes the socket, so a silently dead network
 * shows as "reconnecting" instead of a frozen page (a busy server gets that long to answer).
 */
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange } from 'urql';
import type { ConnectionStore } from './connectionStatus.ts';

export interface DashboardClient {
  client: Client;
  dispose(): void;
}

const PING_EVERY_MS = 10_000;
const PONG_WITHIN_MS = 10_000;

/** 0.5 s, 1 s, 2 s … up to 10 s, with jitter so many tabs do not reconnect in step. */
export function reconnectDelayMs(retries: number, random = Math.random): number {
  const base = Math.min(500 * 2 ** retries, 10_000);
  return Math.round(base * (0.75 + random() * 0.5));
}

export function makeClient(options: {
  connection: ConnectionStore;
  onUnauthenticated(): void;
  origin?: string;
}): DashboardClient {
  const origin = options.origin ?? window.location.origin;
  let socket: WebSocket | null = null;
  let pongTimer: ReturnType<typeof setTimeout> | undefined;
  // A disposed client's socket closing is not the connection being lost.
  let disposed = false;

  const ws: WsClient = createWsClient({
    url: `${origin.replace(/^http/, 'ws')}/graphql`,
    lazy: false,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, reconnectDelayMs(retries))),
    keepAlive: PING_EVERY_MS,
    onNonLazyError: () => !disposed && options.connection.lost(),
    on: {
      connected: (opened, _payload, wasRetry) => {
        socket = opened as WebSocket;
        if (!disposed) options.connection.connected(wasRetry);
      },
      closed: () => {
        socket = null;
        clearTimeout(pongTimer);
        if (!disposed) options.connection.lost();
      },
      ping: (received) => {
        if (received) return;
        pongTimer = setTimeout(() => {
          if (socket?.readyState === WebSocket.OPEN) socket.close(4408, 'Request Timeout');
        }, PONG_WITHIN_MS);
      },
      pong: (received) => {
        if (received) clearTimeout(pongTimer);
      },
    },
  });

  const client = new Client({
    url: `${origin}/graphql`,
    fetchOptions: { credentials: 'same-origin' },
    exchanges: [
      mapExchange({
        onError(error) {
          if (
            error.graphQLErrors.some((e) => e.extensions?.['code'] === 'unauthenticated') ||
            error.response?.status === 401
          )
            options.onUnauthenticated();
        },
      }),
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: ws.subscribe({ ...request, query: request.query ?? '' }, sink) }),
        }),
      }),
    ],
  });

  return {
    client,
    dispose() {
      disposed = true;
      clearTimeout(pongTimer);
      void ws.dispose();
    },
  };
}
