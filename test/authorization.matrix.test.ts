/**
 * The authorization matrix: every REST route and every GraphQL operation, each called by
 * every kind of caller, gets the answer its rule says. The routes come from Fastify's
 * own route table and the operations from the GraphQL schema, and each must have a rule
 * here: a route or operation added without one fails this test.
 *
 * Rules: `public` (anyone), `apiKey` (a producer's mailbox key, nothing else),
 * `viewer` < `operator` < `admin` (an operator access token or a session of one, with at
 * least that role), `graphql` (the GraphQL transport itself: its operations have their
 * own rules below). A refused caller gets 401 (no valid credential) or 403 (a role too
 * low), and over GraphQL `unauthenticated` or `forbidden`; an allowed one gets anything
 * else (a 404 or 409 is the action's own answer, not a refusal).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createClient } from 'graphql-ws';
import { beforeAll, describe, expect, test } from 'vitest';
import WebSocket from 'ws';
import { createAccessToken, revokeAccessToken } from '../server/auth/accessTokens.ts';
import { operatorRoles, type OperatorRole } from '../server/auth/roles.ts';
import { schema } from '../server/graphql/schema/index.ts';
import { dashboardDir } from '../server/http/dashboard.ts';
import { gql } from './support/graphql.ts';
import { createMailbox, sendEvent } from './support/hookpost.ts';
import { useHookpost, useReceiver } from './support/hooks.ts';

type Rule = 'public' | 'apiKey' | OperatorRole | 'graphql';

/** What the requests of the matrix act on. */
interface Fixture {
  mailboxId: string;
  apiKey: string;
  endpointId: string;
  trackingNumber: string;
  deliveryId: string;
  /** Things the allowed callers of destructive actions may delete or revoke. */
  doomedMailboxId: string;
  doomedEndpointId: string;
  doomedApiKeyId: string;
  doomedTokenId: string;
  doomedTrackingNumber: string;
  /** A token anyone may sign in with. */
  signInToken: string;
}

interface RestCase {
  rule: Rule;
  path?: (fx: Fixture) => string;
  body?: (fx: Fixture) => unknown;
}

const rest: Record<string, RestCase> = {
  'POST /webhooks/:mailboxId': { rule: 'apiKey', path: (fx) => `/webhooks/${fx.mailboxId}`, body: () => ({ a: 1 }) },
  'POST /api/mailboxes': { rule: 'operator', body: () => ({ name: 'matrix' }) },
  'GET /api/mailboxes': { rule: 'viewer' },
  'GET /api/mailboxes/:id': { rule: 'viewer', path: (fx) => `/api/mailboxes/${fx.mailboxId}` },
  'PATCH /api/mailboxes/:id': {
    rule: 'operator',
    path: (fx) => `/api/mailboxes/${fx.mailboxId}`,
    body: () => ({ name: 'renamed' }),
  },
  'DELETE /api/mailboxes/:id': { rule: 'operator', path: (fx) => `/api/mailboxes/${fx.doomedMailboxId}` },
  'GET /api/mailboxes/:id/api-keys': { rule: 'viewer', path: (fx) => `/api/mailboxes/${fx.mailboxId}/api-keys` },
  'POST /api/mailboxes/:id/api-keys': {
    rule: 'operator',
    path: (fx) => `/api/mailboxes/${fx.mailboxId}/api-keys`,
    body: () => ({ name: 'matrix' }),
  },
  'POST /api/api-keys/:id/revoke': { rule: 'operator', path: (fx) => `/api/api-keys/${fx.doomedApiKeyId}/revoke` },
  'GET /api/mailboxes/:id/endpoints': { rule: 'viewer', path: (fx) => `/api/mailboxes/${fx.mailboxId}/endpoints` },
  'POST /api/mailboxes/:id/endpoints': {
    rule: 'operator',
    path: (fx) => `/api/mailboxes/${fx.mailboxId}/endpoints`,
    body: () => ({ url: 'https://example.com/matrix' }),
  },
  'GET /api/endpoints/:id': { rule: 'viewer', path: (fx) => `/api/endpoints/${fx.endpointId}` },
  'PATCH /api/endpoints/:id': {
    rule: 'operator',
    path: (fx) => `/api/endpoints/${fx.endpointId}`,
    body: () => ({ description: 'matrix' }),
  },
  'POST /api/endpoints/:id/enable': { rule: 'operator', path: (fx) => `/api/endpoints/${fx.endpointId}/enable` },
  'POST /api/endpoints/:id/disable': {
    rule: 'operator',
    path: (fx) => `/api/endpoints/${fx.doomedEndpointId}/disable`,
  },
  'POST /api/endpoints/:id/rotate-secret': {
    rule: 'operator',
    path: (fx) => `/api/endpoints/${fx.endpointId}/rotate-secret`,
  },
  'GET /api/endpoints/:id/secret': { rule: 'operator', path: (fx) => `/api/endpoints/${fx.endpointId}/secret` },
  'POST /api/endpoints/:id/pause': { rule: 'operator', path: (fx) => `/api/endpoints/${fx.endpointId}/pause` },
  'POST /api/endpoints/:id/resume': { rule: 'operator', path: (fx) => `/api/endpoints/${fx.endpointId}/resume` },
  'GET /api/endpoints/:id/health': { rule: 'viewer', path: (fx) => `/api/endpoints/${fx.endpointId}/health` },
  'GET /api/dead-letters': { rule: 'viewer' },
  'POST /api/replays/preview': { rule: 'operator', body: () => ({ status_codes: [599] }) },
  'POST /api/replays': { rule: 'operator', body: () => ({ status_codes: [599] }) },
  'GET /api/replays': { rule: 'viewer' },
  'GET /api/replays/:id': { rule: 'viewer', path: () => '/api/replays/018f3c2a-0000-7000-8000-000000000000' },
  'POST /api/replays/:id/cancel': {
    rule: 'operator',
    path: () => '/api/replays/018f3c2a-0000-7000-8000-000000000000/cancel',
  },
  'POST /api/mailboxes/:id/erasures/preview': {
    rule: 'admin',
    path: (fx) => `/api/mailboxes/${fx.mailboxId}/erasures/preview`,
    body: () => ({ payload: [{ path: 'matrix.none', equals: 'none' }] }),
  },
  'POST /api/mailboxes/:id/erasures': {
    rule: 'admin',
    path: (fx) => `/api/mailboxes/${fx.mailboxId}/erasures`,
    body: () => ({ payload: [{ path: 'matrix.none', equals: 'none' }] }),
  },
  'GET /api/mailboxes/:id/erasures': { rule: 'admin', path: (fx) => `/api/mailboxes/${fx.mailboxId}/erasures` },
  'GET /api/erasures/:id': { rule: 'admin', path: () => '/api/erasures/018f3c2a-0000-7000-8000-000000000000' },
  'POST /api/erasures/:id/cancel': {
    rule: 'admin',
    path: () => '/api/erasures/018f3c2a-0000-7000-8000-000000000000/cancel',
  },
  'DELETE /api/endpoints/:id': { rule: 'operator', path: (fx) => `/api/endpoints/${fx.doomedEndpointId}` },
  'GET /api/webhooks': { rule: 'viewer' },
  'GET /api/webhooks/:id': { rule: 'viewer', path: (fx) => `/api/webhooks/${fx.trackingNumber}` },
  'DELETE /api/webhooks/:id': { rule: 'admin', path: (fx) => `/api/webhooks/${fx.doomedTrackingNumber}` },
  'POST /api/webhooks/:id/retry': { rule: 'operator', path: (fx) => `/api/webhooks/${fx.trackingNumber}/retry` },
  'POST /api/webhooks/:id/resend': {
    rule: 'operator',
    path: (fx) => `/api/webhooks/${fx.trackingNumber}/resend`,
    body: (fx) => ({ endpoint_id: fx.endpointId }),
  },
  'POST /api/deliveries/:id/retry': { rule: 'operator', path: (fx) => `/api/deliveries/${fx.deliveryId}/retry` },
  'POST /api/deliveries/:id/cancel': { rule: 'operator', path: (fx) => `/api/deliveries/${fx.deliveryId}/cancel` },
  // Signing in is authenticated by the token in its body; signing out needs nothing.
  'POST /api/session': { rule: 'public', body: (fx) => ({ token: fx.signInToken }) },
  'GET /api/session': { rule: 'viewer' },
  'GET /api/audit-log': { rule: 'admin' },
  'GET /api/access-tokens': { rule: 'admin' },
  'POST /api/access-tokens': { rule: 'admin', body: () => ({ name: 'matrix', role: 'viewer' }) },
  'POST /api/access-tokens/:id/revoke': {
    rule: 'admin',
    path: (fx) => `/api/access-tokens/${fx.doomedTokenId}/revoke`,
  },
  'DELETE /api/session': { rule: 'public' },
  'GET /healthz': { rule: 'public' },
  'GET /readyz': { rule: 'public' },
  'GET /openapi.json': { rule: 'public' },
  'GET /docs': { rule: 'public' },
  'GET /docs/json': { rule: 'public' },
  'GET /docs/yaml': { rule: 'public' },
  'GET /docs/static/index.html': { rule: 'public' },
  'GET /docs/static/swagger-initializer.js': { rule: 'public' },
  'GET /docs/static/*': { rule: 'public', path: () => '/docs/static/swagger-ui.css' },
  'GET /redoc': { rule: 'public' },
  'GET /redoc/redoc.standalone.js': { rule: 'public' },
  'GET /graphql': { rule: 'graphql' },
  'POST /graphql': { rule: 'graphql' },
  'OPTIONS /graphql': { rule: 'graphql' },
};

/** The dashboard's built files (their names change with every build) are public. */
const dashboardFiles = new Set(
  fs
    .readdirSync(dashboardDir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map(
      (entry) => `GET /${path.relative(dashboardDir, path.join(entry.parentPath, entry.name)).replaceAll('\\', '/')}`,
    ),
);
const ruleOfRoute = (route: string): RestCase | undefined =>
  rest[route] ?? (dashboardFiles.has(route) || route === 'GET /' ? { rule: 'public' } : undefined);

interface GraphQLCase {
  rule: OperatorRole;
  document: string;
  variables?: (fx: Fixture) => Record<string, unknown>;
  /** For a subscription: makes something it pushes (default: an event is sent). */
  push?: (fx: Fixture) => Promise<unknown>;
}

const graphql: Record<string, GraphQLCase> = {
  'query accessTokens': { rule: 'admin', document: '{ accessTokens { edges { node { id } } } }' },
  'query auditLog': { rule: 'admin', document: '{ auditLog { edges { node { id } } } }' },
  'query delivery': {
    rule: 'viewer',
    document: 'query($id: ID!) { delivery(id: $id) { id } }',
    variables: (fx) => ({ id: fx.deliveryId }),
  },
  'query endpoint': {
    rule: 'viewer',
    document: 'query($id: ID!) { endpoint(id: $id) { id } }',
    variables: (fx) => ({ id: fx.endpointId }),
  },
  'query endpoints': { rule: 'viewer', document: '{ endpoints { edges { node { id } } } }' },
  'query event': {
    rule: 'viewer',
    document: 'query($id: ID!) { event(trackingNumber: $id) { trackingNumber } }',
    variables: (fx) => ({ id: fx.trackingNumber }),
  },
  'query events': { rule: 'viewer', document: '{ events { edges { node { trackingNumber } } } }' },
  'query mailbox': {
    rule: 'viewer',
    document: 'query($id: ID!) { mailbox(id: $id) { id } }',
    variables: (fx) => ({ id: fx.mailboxId }),
  },
  'query mailboxes': { rule: 'viewer', document: '{ mailboxes { edges { node { id } } } }' },
  'query me': { rule: 'viewer', document: '{ me { role } }' },
  'query signingSecret': {
    rule: 'operator',
    document: 'query($id: ID!) { signingSecret(endpointId: $id) }',
    variables: (fx) => ({ id: fx.endpointId }),
  },
  'query stats': { rule: 'viewer', document: '{ stats { from } }' },
  'query deadLetters': { rule: 'viewer', document: '{ deadLetters { edges { node { id } } } }' },
  'query replayPreview': { rule: 'operator', document: '{ replayPreview(filter: { statusCodes: [599] }) }' },
  'query replay': {
    rule: 'viewer',
    document: 'query($id: ID!) { replay(id: $id) { id } }',
    variables: () => ({ id: '018f3c2a-0000-7000-8000-000000000000' }),
  },
  'query replays': { rule: 'viewer', document: '{ replays { id } }' },
  'query systemMailbox': { rule: 'viewer', document: '{ systemMailbox { id } }' },
  'query erasurePreview': {
    rule: 'admin',
    document: 'query($id: ID!) { erasurePreview(mailboxId: $id, filter: { eventTypes: ["matrix.none"] }) }',
    variables: (fx) => ({ id: fx.mailboxId }),
  },
  'query erasure': {
    rule: 'admin',
    document: 'query($id: ID!) { erasure(id: $id) { id } }',
    variables: () => ({ id: '018f3c2a-0000-7000-8000-000000000000' }),
  },
  'query erasures': { rule: 'admin', document: '{ erasures { id } }' },
  'mutation createAccessToken': {
    rule: 'admin',
    document: 'mutation { createAccessToken(name: "matrix", role: viewer) { token } }',
  },
  'mutation createApiKey': {
    rule: 'operator',
    document: 'mutation($id: ID!) { createApiKey(mailboxId: $id) { apiKey } }',
    variables: (fx) => ({ id: fx.mailboxId }),
  },
  'mutation createEndpoint': {
    rule: 'operator',
    document:
      'mutation($id: ID!) { createEndpoint(input: { mailboxId: $id, url: "https://example.com/m" }) { signingSecret } }',
    variables: (fx) => ({ id: fx.mailboxId }),
  },
  'mutation createMailbox': {
    rule: 'operator',
    document: 'mutation { createMailbox(input: { name: "matrix" }) { apiKey } }',
  },
  'mutation deleteEndpoint': {
    rule: 'operator',
    document: 'mutation($id: ID!) { deleteEndpoint(id: $id) { id } }',
    variables: (fx) => ({ id: fx.doomedEndpointId }),
  },
  'mutation deleteMailbox': {
    rule: 'operator',
    document: 'mutation($id: ID!) { deleteMailbox(id: $id) { id } }',
    variables: (fx) => ({ id: fx.doomedMailboxId }),
  },
  'mutation disableEndpoint': {
    rule: 'operator',
    document: 'mutation($id: ID!) { disableEndpoint(id: $id) { id } }',
    variables: (fx) => ({ id: fx.doomedEndpointId }),
  },
  'mutation enableEndpoint': {
    rule: 'operator',
    document: 'mutation($id: ID!) { enableEndpoint(id: $id) { id } }',
    variables: (fx) => ({ id: fx.endpointId }),
  },
  'mutation pauseEndpoint': {
    rule: 'operator',
    document: 'mutation($id: ID!) { pauseEndpoint(id: $id) { id } }',
    variables: (fx) => ({ id: fx.endpointId }),
  },
  'mutation resumeEndpoint': {
    rule: 'operator',
    document: 'mutation($id: ID!) { resumeEndpoint(id: $id) { id } }',
    variables: (fx) => ({ id: fx.endpointId }),
  },
  'mutation startReplay': {
    rule: 'operator',
    document: 'mutation { startReplay(filter: { statusCodes: [599] }) { id } }',
  },
  'mutation cancelReplay': {
    rule: 'operator',
    document: 'mutation($id: ID!) { cancelReplay(id: $id) { id } }',
    variables: () => ({ id: '018f3c2a-0000-7000-8000-000000000000' }),
  },
  'mutation startErasure': {
    rule: 'admin',
    document: 'mutation($id: ID!) { startErasure(mailboxId: $id, filter: { eventTypes: ["matrix.none"] }) { id } }',
    variables: (fx) => ({ id: fx.mailboxId }),
  },
  'mutation cancelErasure': {
    rule: 'admin',
    document: 'mutation($id: ID!) { cancelErasure(id: $id) { id } }',
    variables: () => ({ id: '018f3c2a-0000-7000-8000-000000000000' }),
  },
  'mutation retryDelivery': {
    rule: 'operator',
    document: 'mutation($id: ID!) { retryDelivery(id: $id) { __typename } }',
    variables: (fx) => ({ id: fx.deliveryId }),
  },
  'mutation cancelDelivery': {
    rule: 'operator',
    document: 'mutation($id: ID!) { cancelDelivery(id: $id) { __typename } }',
    variables: (fx) => ({ id: fx.deliveryId }),
  },
  'mutation retryEvent': {
    rule: 'operator',
    document: 'mutation($id: ID!) { retryEvent(trackingNumber: $id) { __typename } }',
    variables: (fx) => ({ id: fx.trackingNumber }),
  },
  'mutation resendEvent': {
    rule: 'operator',
    document: 'mutation($id: ID!, $endpoint: ID!) { resendEvent(trackingNumber: $id, endpointId: $endpoint) { id } }',
    variables: (fx) => ({ id: fx.trackingNumber, endpoint: fx.endpointId }),
  },
  'mutation eraseEvent': {
    rule: 'admin',
    document: 'mutation($id: ID!) { eraseEvent(trackingNumber: $id) { erasedAt } }',
    variables: (fx) => ({ id: fx.doomedTrackingNumber }),
  },
  'mutation revokeAccessToken': {
    rule: 'admin',
    document: 'mutation($id: ID!) { revokeAccessToken(id: $id) { id } }',
    variables: (fx) => ({ id: fx.doomedTokenId }),
  },
  'mutation revokeApiKey': {
    rule: 'operator',
    document: 'mutation($id: ID!) { revokeApiKey(id: $id) { id } }',
    variables: (fx) => ({ id: fx.doomedApiKeyId }),
  },
  'mutation rotateEndpointSecret': {
    rule: 'operator',
    document: 'mutation($id: ID!) { rotateEndpointSecret(id: $id) { signingSecret } }',
    variables: (fx) => ({ id: fx.endpointId }),
  },
  'mutation sendTestEvent': {
    rule: 'operator',
    document: 'mutation($id: ID!) { sendTestEvent(endpointId: $id) { __typename } }',
    variables: (fx) => ({ id: fx.endpointId }),
  },
  'mutation updateEndpoint': {
    rule: 'operator',
    document: 'mutation($id: ID!) { updateEndpoint(id: $id, input: { description: "m" }) { id } }',
    variables: (fx) => ({ id: fx.endpointId }),
  },
  'mutation updateMailbox': {
    rule: 'operator',
    document: 'mutation($id: ID!) { updateMailbox(id: $id, name: "m") { id } }',
    variables: (fx) => ({ id: fx.mailboxId }),
  },
  'subscription deliveryUpdated': { rule: 'viewer', document: 'subscription { deliveryUpdated { skipped } }' },
  'subscription eventReceived': { rule: 'viewer', document: 'subscription { eventReceived { skipped } }' },
  'subscription endpointChanged': {
    rule: 'viewer',
    document: 'subscription { endpointChanged { skipped } }',
    push: (fx) => hookpost.api(`/api/endpoints/${fx.endpointId}/enable`, { method: 'POST' }),
  },
  'subscription erasureUpdated': {
    rule: 'admin',
    document: 'subscription { erasureUpdated { skipped } }',
    push: (fx) =>
      gql(
        hookpost,
        'mutation($id: ID!) { startErasure(mailboxId: $id, filter: { eventTypes: ["matrix.none"] }) { id } }',
        { id: fx.mailboxId },
      ),
  },
  'subscription replayUpdated': {
    rule: 'viewer',
    document: 'subscription { replayUpdated { skipped } }',
    push: () => gql(hookpost, 'mutation { startReplay(filter: { statusCodes: [599] }) { id } }'),
  },
};

/** A kind of caller: how it authenticates, and the role it has (null: none). */
interface Caller {
  name: string;
  role: OperatorRole | null;
  /** Headers for a management request (REST or GraphQL, including the WebSocket upgrade). */
  headers: () => Record<string, string>;
  /** Headers for an ingest request: only a producer carries a key. */
  ingestHeaders?: () => Record<string, string>;
}

const receiver = useReceiver({ status: 500 });
// Limits on failed authentication are their own test's business (auth.rate-limits);
// here the callers without a valid credential fail on purpose, hundreds of times.
const { hookpost } = useHookpost({ authFailuresPerIp: 0, authFailuresPerCredential: 0 });
let fx: Fixture;
let callers: Caller[];
let operatorSession: string;
/** Signs the operator session in (again, after the matrix signed it out). */
let signInOperator: () => Promise<string>;

beforeAll(async () => {
  const admin = { tokenId: 'test', name: 'test', role: 'admin' as const };
  const token = async (role: OperatorRole) =>
    (await createAccessToken(hookpost.runtime, admin, { name: role, role })).token;
  const [viewer, operator, adminToken, revoked] = await Promise.all([
    token('viewer'),
    token('operator'),
    token('admin'),
    createAccessToken(hookpost.runtime, admin, { name: 'revoked', role: 'admin' }),
  ]);
  await revokeAccessToken(hookpost.runtime, admin, revoked.record.id);
  const origin = new URL(hookpost.baseUrl).origin;
  const signIn = async (token: string) =>
    (await hookpost.api('/api/session', { method: 'POST', token: null, headers: { origin }, json: { token } })).headers
      .get('set-cookie')!
      .split(';')[0]!;
  signInOperator = async () => (operatorSession = await signIn(operator));
  await signInOperator();
  const signedOut = await signIn(adminToken);
  await hookpost.api('/api/session', { method: 'DELETE', token: null, headers: { cookie: signedOut, origin } });

  const mailbox = await createMailbox(hookpost, { name: 'Matrix', target_url: `${receiver.url}/m` });
  const doomed = await createMailbox(hookpost, { name: 'Doomed', target_url: `${receiver.url}/d` });
  const { tracking_number: trackingNumber } = await (await sendEvent(hookpost, mailbox, { event: 'm' })).json();
  const event = await (await hookpost.api(`/api/webhooks/${trackingNumber}`)).json();
  const { tracking_number: doomedTrackingNumber } = await (await sendEvent(hookpost, mailbox, { event: 'd' })).json();
  const keys = await (await hookpost.api(`/api/mailboxes/${doomed.id}/api-keys`)).json();
  fx = {
    mailboxId: mailbox.id,
    apiKey: mailbox.api_key,
    endpointId: mailbox.endpoint_id!,
    trackingNumber,
    deliveryId: event.deliveries[0].id,
    doomedMailboxId: doomed.id,
    doomedEndpointId: (
      await (
        await hookpost.api(`/api/mailboxes/${doomed.id}/endpoints`, {
          method: 'POST',
          json: { url: `${receiver.url}/doomed` },
        })
      ).json()
    ).id,
    doomedApiKeyId: keys[0].id,
    doomedTokenId: (await createAccessToken(hookpost.runtime, admin, { name: 'doomed', role: 'viewer' })).record.id,
    doomedTrackingNumber,
    signInToken: viewer,
  };
  const bearer = (value: string) => () => ({ authorization: `Bearer ${value}` });
  callers = [
    { name: 'anonymous', role: null, headers: () => ({}) },
    { name: 'an unknown token', role: null, headers: bearer(`hpt_${'u'.repeat(43)}`) },
    { name: 'a revoked admin token', role: null, headers: bearer(revoked.token) },
    {
      name: "a producer's API key",
      role: null,
      headers: bearer(mailbox.api_key),
      ingestHeaders: () => ({ 'x-api-key': mailbox.api_key }),
    },
    { name: 'a signed-out session', role: null, headers: () => ({ cookie: signedOut, origin }) },
    { name: 'a viewer token', role: 'viewer', headers: bearer(viewer) },
    { name: 'an operator session', role: 'operator', headers: () => ({ cookie: operatorSession, origin }) },
    { name: 'an operator token', role: 'operator', headers: bearer(operator) },
    { name: 'an admin token', role: 'admin', headers: bearer(adminToken) },
  ];
}, 120_000);

const allowedFor = (rule: Rule, caller: Caller): boolean => {
  if (rule === 'public') return true;
  if (rule === 'apiKey') return caller.ingestHeaders !== undefined;
  if (rule === 'graphql') return true;
  return caller.role !== null && operatorRoles.indexOf(caller.role) >= operatorRoles.indexOf(rule);
};

describe('every route and operation has a rule', () => {
  test('each REST route in the route table has one, and each rule a route', () => {
    const routes = [...hookpost.app!.routeTable];
    expect(routes.length).toBeGreaterThan(30);
    expect(routes.filter((route) => !ruleOfRoute(route))).toEqual([]);
    expect(Object.keys(rest).filter((route) => !routes.includes(route))).toEqual([]);
  });

  test('each GraphQL operation in the schema has one, and each rule an operation', () => {
    const operations = (['query', 'mutation', 'subscription'] as const).flatMap((kind) => {
      const type =
        kind === 'query'
          ? schema.getQueryType()
          : kind === 'mutation'
            ? schema.getMutationType()
            : schema.getSubscriptionType();
      return Object.keys(type?.getFields() ?? {}).map((field) => `${kind} ${field}`);
    });
    expect(operations.length).toBeGreaterThanOrEqual(29);
    expect(operations.filter((operation) => !graphql[operation])).toEqual([]);
    expect(Object.keys(graphql).filter((operation) => !operations.includes(operation))).toEqual([]);
  });
});

describe('REST', () => {
  test('every route answers every kind of caller as its rule says', async () => {
    const wrong: string[] = [];
    for (const route of hookpost.app!.routeTable) {
      const spec = ruleOfRoute(route)!;
      if (spec.rule === 'graphql') continue;
      const [method, pattern] = route.split(' ') as [string, string];
      // Refused callers first: an allowed one may delete what the route acts on.
      const ordered = [...callers].sort((a, b) => Number(allowedFor(spec.rule, a)) - Number(allowedFor(spec.rule, b)));
      for (const caller of ordered) {
        const headers = spec.rule === 'apiKey' ? (caller.ingestHeaders?.() ?? caller.headers()) : caller.headers();
        const body = spec.body?.(fx);
        const response = await hookpost.api(spec.path?.(fx) ?? pattern, {
          method,
          token: null,
          headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
          body: body !== undefined ? JSON.stringify(body) : undefined,
        });
        await response.arrayBuffer();
        const allowed = allowedFor(spec.rule, caller);
        const expected = allowed ? 'allowed' : caller.role === null || spec.rule === 'apiKey' ? 401 : 403;
        const got = [401, 403].includes(response.status)
          ? response.status
          : response.status >= 500 || response.status === 415 || response.status === 429
            ? `broken ${response.status}`
            : 'allowed';
        if (got !== expected) wrong.push(`${route} by ${caller.name}: expected ${expected}, got ${response.status}`);
      }
      // Signing out ended the operator's session: it signs in again for what follows.
      if (route === 'DELETE /api/session') await signInOperator();
    }
    expect(wrong).toEqual([]);
  });
});

describe('GraphQL', () => {
  /** unauthenticated, forbidden, allowed, or what is wrong with the request itself. */
  const codeOf = (result: { errors?: { message: string; extensions?: { code?: string } }[] }): string => {
    const codes = (result.errors ?? []).map((error) => error.extensions?.code ?? 'none');
    const refusal = codes.find((code) => code === 'unauthenticated' || code === 'forbidden');
    if (refusal) return refusal;
    // The action's own answers (nothing to retry, already revoked…) are not refusals.
    const broken = result.errors?.find(
      (error) => !['not_found', 'not_retryable', 'conflict'].includes(error.extensions?.code ?? ''),
    );
    return broken ? `broken: ${broken.message}` : 'allowed';
  };
  const expectedCode = (rule: OperatorRole, caller: Caller) =>
    allowedFor(rule, caller) ? 'allowed' : caller.role === null ? 'unauthenticated' : 'forbidden';

  test('every query and mutation over HTTP answers every kind of caller as its rule says', async () => {
    const wrong: string[] = [];
    for (const [operation, spec] of Object.entries(graphql)) {
      if (operation.startsWith('subscription')) continue;
      const ordered = [...callers].sort((a, b) => Number(allowedFor(spec.rule, a)) - Number(allowedFor(spec.rule, b)));
      for (const caller of ordered) {
        const response = await fetch(`${hookpost.baseUrl}/graphql`, {
          method: 'POST',
          headers: { ...caller.headers(), 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ query: spec.document, variables: spec.variables?.(fx) ?? {} }),
        });
        const got = response.status >= 500 ? `broken ${response.status}` : codeOf(await response.json());
        const expected = expectedCode(spec.rule, caller);
        if (got !== expected) wrong.push(`${operation} by ${caller.name}: expected ${expected}, got ${got}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  test('every subscription over WebSocket answers every kind of caller as its rule says', async () => {
    const wrong: string[] = [];
    for (const [operation, spec] of Object.entries(graphql)) {
      if (!operation.startsWith('subscription')) continue;
      for (const caller of callers) {
        const client = createClient({
          url: `${hookpost.baseUrl.replace(/^http/, 'ws')}/graphql`,
          retryAttempts: 0,
          webSocketImpl: class extends WebSocket {
            constructor(address: string, protocols?: string | string[]) {
              super(address, protocols, { headers: caller.headers() });
            }
          },
        });
        // A refused subscription ends with its error; an allowed one pushes the next event.
        const first = new Promise<{ errors?: { message: string; extensions?: { code?: string } }[] }>(
          (resolve, reject) => {
            client.subscribe(
              { query: spec.document },
              { next: (value) => resolve(value as never), error: reject, complete: () => resolve({}) },
            );
          },
        );
        const got = await Promise.race([
          first.then(codeOf),
          // Something to push, should the subscription be running.
          (async () => {
            for (;;) {
              if (spec.push) await spec.push(fx);
              else await sendEvent(hookpost, { id: fx.mailboxId, api_key: fx.apiKey }, { event: 'matrix.push' });
              const settled = await Promise.race([
                first.then(() => true),
                new Promise((r) => setTimeout(r, 250, false)),
              ]);
              if (settled) return first.then(codeOf);
            }
          })(),
        ]);
        await client.dispose();
        const expected = expectedCode(spec.rule, caller);
        if (got !== expected) wrong.push(`${operation} by ${caller.name}: expected ${expected}, got ${got}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});
