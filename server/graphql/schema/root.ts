/**
 * The root types and the least role each needs: reading needs a viewer token, changing
 * anything an operator token, access tokens an admin token (fields that need more say
 * so themselves). Every call is authenticated like the REST API:
 * `Authorization: Bearer <access token>`.
 */
import { builder } from '../builder.ts';
import { LIVE_MAX_ITEMS, LIVE_WINDOW_MS } from '../live/liveFeeds.ts';

builder.queryType({
  description:
    'Reading Hookpost: mailboxes, endpoints, events with their deliveries and attempts, and statistics. Needs at least the viewer role.',
  authScopes: { role: 'viewer' },
});

builder.mutationType({
  description:
    'Changing Hookpost. Needs at least the operator role (access tokens: admin). The same services as the REST API do the work.',
  authScopes: { role: 'operator' },
});

builder.subscriptionType({
  description:
    'Live changes, pushed over Server-Sent Events (POST or GET /graphql with `Accept: text/event-stream`) or WebSocket ' +
    '(graphql-ws protocol on /graphql). Every API process receives every change through PostgreSQL LISTEN/NOTIFY, ' +
    'whichever process made it. Subscribers in a process that ask for the same field with the same arguments share one feed, ' +
    'and the rows their payloads show are read once for all of them. ' +
    `Changes are coalesced: a payload is sent at most every ${LIVE_WINDOW_MS} ms, ` +
    `carries at most ${LIVE_MAX_ITEMS} items, and merges repeated changes of one delivery into its latest state; \`skipped\` counts ` +
    'what did not fit and `resync` says that changes may have been missed. A WebSocket connection carries at most ' +
    'HOOKPOST_LIVE_MAX_PER_CONNECTION operations (default 20) and an access token holds at most ' +
    'HOOKPOST_LIVE_MAX_PER_TOKEN subscriptions per process (default 100); past either, `too_many_subscriptions`. ' +
    'Needs at least the viewer role.',
  authScopes: { role: 'viewer' },
});
