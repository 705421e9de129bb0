/**
 * Reading through GraphQL: mailboxes, endpoints, one event with its deliveries and
 * attempts, one delivery, statistics, and who may read what.
 */
import { beforeAll, describe, expect, test, vi } from 'vitest';
import { errorCodes, gql, gqlData } from './support/graphql.ts';
import { sendEvent } from './support/hookpost.ts';
import { useHookpost, useReceiver } from './support/hooks.ts';

const { db, hookpost } = useHookpost();
const receiver = useReceiver({ status: 201, body: 'created', headers: { 'x-receiver': 'yes' } });
let viewerToken: string;
let mailboxId: string;
let endpointId: string;
let deadEndpointId: string;
let trackingNumber: string;
const startedAt = new Date();

beforeAll(async () => {
  viewerToken = (await gqlData(hookpost, `mutation { createAccessToken(name: "dashboard", role: viewer) { token } }`))
    .createAccessToken.token;
  const created = await gqlData(
    hookpost,
    `mutation($url: String!) { createMailbox(input: {name: "Orders", targetUrl: $url}) { apiKey mailbox { id } endpoint { id } } }`,
    { url: `${receiver.url}/orders` },
  );
  mailboxId = created.createMailbox.mailbox.id;
  endpointId = created.createMailbox.endpoint.id;
  await gqlData(
    hookpost,
    `mutation($id: ID!) { updateEndpoint(id: $id, input: {headers: [{name: "Authorization", value: "Bearer s3cret"}, {name: "X-Team", value: "blue"}]}) { id } }`,
    { id: endpointId },
  );
  // Nothing listens on port 1: every attempt there is refused.
  deadEndpointId = (
    await gqlData(
      hookpost,
      `mutation($id: ID!) { createEndpoint(input: {mailboxId: $id, url: "http://127.0.0.1:1/dead", retryPolicy: {maxAttempts: 1}}) { endpoint { id } } }`,
      { id: mailboxId },
    )
  ).createEndpoint.endpoint.id;
  await gqlData(hookpost, `mutation { createMailbox(input: {name: "Retired"}) { mailbox { id } } }`).then((data) =>
    gqlData(hookpost, `mutation($id: ID!) { deleteMailbox(id: $id) { id } }`, { id: data.createMailbox.mailbox.id }),
  );

  const response = await sendEvent(
    hookpost,
    { id: mailboxId, api_key: created.createMailbox.apiKey },
    { event: 'order.created', total: 12 },
  );
  trackingNumber = (await response.json()).tracking_number;
  await vi.waitFor(
    async () => {
      const data = await gqlData(hookpost, `query($n: ID!) { event(trackingNumber: $n) { status } }`, {
        n: trackingNumber,
      });
      expect(data.event.status).toBe('failed');
    },
    { timeout: 15_000, interval: 100 },
  );
});

describe('mailboxes and endpoints', () => {
  test('mailboxes lists live ones newest first; deleted ones on request', async () => {
    const live = await gqlData(hookpost, `{ mailboxes { edges { node { name deletedAt } } } }`);
    expect(live.mailboxes.edges.map((edge: { node: { name: string } }) => edge.node.name)).toEqual(['Orders']);
    const all = await gqlData(hookpost, `{ mailboxes(includeDeleted: true) { edges { node { name deletedAt } } } }`);
    expect(
      all.mailboxes.edges.map((edge: { node: { name: string; deletedAt: string | null } }) => [
        edge.node.name,
        edge.node.deletedAt !== null,
      ]),
    ).toEqual([
      ['Retired', true],
      ['Orders', false],
    ]);
  });

  test('mailbox(id) with its keys, endpoints and events; unknown or malformed ids give null', async () => {
    const data = await gqlData(
      hookpost,
      `query($id: ID!) { mailbox(id: $id) { name apiKeys { totalCount edges { node { prefix active name } } } endpoints { totalCount edges { node { url } } } events { edges { node { trackingNumber } } } } }`,
      { id: mailboxId },
    );
    expect(data.mailbox.apiKeys).toEqual({
      totalCount: 1,
      edges: [{ node: { prefix: expect.stringMatching(/^hpk_/), active: true, name: 'default' } }],
    });
    expect(data.mailbox.endpoints.totalCount).toBe(2);
    expect(data.mailbox.events.edges).toEqual([{ node: { trackingNumber } }]);
    expect(
      (await gqlData(hookpost, `{ mailbox(id: "0193a1b2-0000-7000-8000-000000000000") { id } }`)).mailbox,
    ).toBeNull();
    expect((await gqlData(hookpost, `{ mailbox(id: "nope") { id } }`)).mailbox).toBeNull();
  });

  test('endpoints filter by mailbox and enabled; an endpoint shows its policy and headers', async () => {
    await gqlData(hookpost, `mutation($id: ID!) { disableEndpoint(id: $id) { enabled } }`, { id: deadEndpointId });
    const enabled = await gqlData(
      hookpost,
      `query($m: ID!) { endpoints(mailboxId: $m, enabled: true) { edges { node { id } } } }`,
      { m: mailboxId },
    );
    expect(enabled.endpoints.edges).toEqual([{ node: { id: endpointId } }]);
    const disabled = await gqlData(
      hookpost,
      `query($m: ID!) { endpoints(mailboxId: $m, enabled: false) { edges { node { id } } } }`,
      { m: mailboxId },
    );
    expect(disabled.endpoints.edges).toEqual([{ node: { id: deadEndpointId } }]);
    await gqlData(hookpost, `mutation($id: ID!) { enableEndpoint(id: $id) { enabled } }`, { id: deadEndpointId });

    const one = await gqlData(
      hookpost,
      `query($id: ID!) { endpoint(id: $id) { url eventTypes timeoutMs enabled retryPolicy { maxAttempts baseDelayMs factor maxDelayMs jitter schedule } headers { name value } mailbox { name } } }`,
      { id: endpointId },
    );
    expect(one.endpoint).toEqual({
      url: `${receiver.url}/orders`,
      eventTypes: [],
      timeoutMs: 15000,
      enabled: true,
      retryPolicy: { maxAttempts: 3, baseDelayMs: 2000, factor: 2, maxDelayMs: 3600000, jitter: 0, schedule: [] },
      headers: [
        { name: 'Authorization', value: 'Bearer s3cret' },
        { name: 'X-Team', value: 'blue' },
      ],
      mailbox: { name: 'Orders' },
    });
  });
});

describe('an event with its deliveries and attempts', () => {
  test('event(trackingNumber) shows the body, each delivery and each attempt in full', async () => {
    const data = await gqlData(
      hookpost,
      `query($n: ID!) { event(trackingNumber: $n) {
          trackingNumber eventType contentType body bodyEncoding status deliveryCount failedCount attemptCount mailbox { name }
          deliveries { totalCount edges { node { id status attemptCount lastStatusCode endpoint { id }
            lastAttempt { number }
            attempts { totalCount edges { node { number trigger url statusCode durationMs succeeded errorKind errorMessage
              responseBody responseBodyBase64 responseBodyTruncated responseHeaders { name value } requestHeaders { name value } } } } } } } } }`,
      { n: trackingNumber },
    );
    const event = data.event;
    expect(event).toMatchObject({
      trackingNumber,
      eventType: 'order.created',
      contentType: 'application/json',
      body: JSON.stringify({ event: 'order.created', total: 12 }),
      bodyEncoding: 'utf8',
      status: 'failed',
      deliveryCount: 2,
      failedCount: 1,
      attemptCount: 2,
      mailbox: { name: 'Orders' },
    });
    const deliveries = event.deliveries.edges.map((edge: { node: unknown }) => edge.node);
    const delivered = deliveries.find((d: { endpoint: { id: string } }) => d.endpoint.id === endpointId);
    const failed = deliveries.find((d: { endpoint: { id: string } }) => d.endpoint.id === deadEndpointId);
    expect(delivered).toMatchObject({
      status: 'delivered',
      attemptCount: 1,
      lastStatusCode: 201,
      lastAttempt: { number: 1 },
    });
    const attempt = delivered.attempts.edges[0].node;
    expect(attempt).toMatchObject({
      number: 1,
      trigger: 'scheduled',
      statusCode: 201,
      succeeded: true,
      errorKind: null,
      responseBody: 'created',
      responseBodyBase64: null,
      responseBodyTruncated: false,
    });
    expect(attempt.durationMs).toBeGreaterThanOrEqual(0);
    expect(attempt.responseHeaders).toContainEqual({ name: 'x-receiver', value: 'yes' });
    const sent = Object.fromEntries(
      attempt.requestHeaders.map((h: { name: string; value: string }) => [h.name, h.value]),
    );
    expect(sent['webhook-id']).toBe(delivered.id);
    expect(sent['webhook-signature']).toMatch(/^v1,/);
    expect(sent['authorization']).toBe('[redacted]');
    expect(sent['x-team']).toBe('[redacted]');
    expect(failed).toMatchObject({ status: 'failed', attemptCount: 1, lastStatusCode: null });
    expect(failed.attempts.edges[0].node).toMatchObject({
      statusCode: null,
      succeeded: false,
      errorKind: 'connection_refused',
      responseHeaders: null,
      responseBody: null,
    });
    expect(failed.attempts.edges[0].node.errorMessage).toEqual(expect.any(String));
  });

  test('delivery(id) and an unknown tracking number', async () => {
    const event = await gqlData(
      hookpost,
      `query($n: ID!) { event(trackingNumber: $n) { deliveries(status: [failed]) { edges { node { id } } } } }`,
      { n: trackingNumber },
    );
    const id = event.event.deliveries.edges[0].node.id;
    const data = await gqlData(
      hookpost,
      `query($id: ID!) { delivery(id: $id) { status event { trackingNumber } endpoint { id } nextAttemptAt } }`,
      { id },
    );
    expect(data.delivery).toEqual({
      status: 'failed',
      event: { trackingNumber },
      endpoint: { id: deadEndpointId },
      nextAttemptAt: null,
    });
    expect(
      (await gqlData(hookpost, `{ event(trackingNumber: "0193a1b2-0000-7000-8000-000000000000") { id } }`)).event,
    ).toBeNull();
    expect((await gqlData(hookpost, `{ delivery(id: "x") { id } }`)).delivery).toBeNull();
  });

  test("an endpoint's deliveries, newest first, by status", async () => {
    const data = await gqlData(
      hookpost,
      `query($id: ID!) { endpoint(id: $id) { deliveries(status: [delivered]) { edges { node { status event { trackingNumber } } } } } }`,
      { id: endpointId },
    );
    expect(data.endpoint.deliveries.edges).toEqual([{ node: { status: 'delivered', event: { trackingNumber } } }]);
  });
});

describe('stats', () => {
  test('counts by status and attempts per minute, everything, per mailbox and per endpoint', async () => {
    const query = `query($m: ID, $e: ID, $from: DateTime, $to: DateTime) { stats(mailboxId: $m, endpointId: $e, from: $from, to: $to) {
      from to events { status count } deliveries { status count } attempts { attempts succeeded failed } attemptsPerMinute { minute attempts succeeded failed } } }`;
    const from = new Date(startedAt.getTime() - 60_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const counts = (list: { status: string; count: number }[]) =>
      Object.fromEntries(list.filter((c) => c.count > 0).map((c) => [c.status, c.count]));

    const all = (await gqlData(hookpost, query, { from, to })).stats;
    expect(counts(all.events)).toEqual({ failed: 1 });
    expect(all.events).toHaveLength(6);
    expect(counts(all.deliveries)).toEqual({ delivered: 1, failed: 1 });
    expect(all.attempts).toEqual({ attempts: 2, succeeded: 1, failed: 1 });
    expect(all.attemptsPerMinute.length).toBeGreaterThanOrEqual(2);
    expect(all.attemptsPerMinute.reduce((sum: number, m: { attempts: number }) => sum + m.attempts, 0)).toBe(2);
    expect(all.attemptsPerMinute.every((m: { minute: string }) => m.minute.endsWith(':00.000Z'))).toBe(true);

    const perEndpoint = (await gqlData(hookpost, query, { from, to, e: endpointId })).stats;
    expect(counts(perEndpoint.deliveries)).toEqual({ delivered: 1 });
    expect(perEndpoint.attempts).toEqual({ attempts: 1, succeeded: 1, failed: 0 });
    expect(counts(perEndpoint.events)).toEqual({ failed: 1 });

    const otherMailbox = (await gqlData(hookpost, query, { from, to, m: '0193a1b2-0000-7000-8000-000000000000' }))
      .stats;
    expect(counts(otherMailbox.events)).toEqual({});
    expect(otherMailbox.attempts.attempts).toBe(0);

    const lastHour = (await gqlData(hookpost, `{ stats { from to attemptsPerMinute { minute } } }`)).stats;
    expect(Date.parse(lastHour.to) - Date.parse(lastHour.from)).toBe(3_600_000);
    expect(lastHour.attemptsPerMinute.length).toBeGreaterThanOrEqual(60);
  });

  test('a window longer than 7 days, or backwards, is refused', async () => {
    expect(
      errorCodes(await gql(hookpost, `{ stats(from: "2026-01-01T00:00:00Z", to: "2026-02-01T00:00:00Z") { from } }`)),
    ).toEqual(['validation_failed']);
    expect(
      errorCodes(await gql(hookpost, `{ stats(from: "2026-01-02T00:00:00Z", to: "2026-01-01T00:00:00Z") { from } }`)),
    ).toEqual(['validation_failed']);
  });
});

describe('who may read', () => {
  test('without a token every query is refused as unauthenticated', async () => {
    for (const query of [
      `{ mailboxes { edges { node { id } } } }`,
      `{ events { edges { node { id } } } }`,
      `{ stats { from } }`,
      `{ me { role } }`,
    ]) {
      expect(errorCodes(await gql(hookpost, query, {}, { token: null })), query).toEqual(['unauthenticated']);
    }
    expect(errorCodes(await gql(hookpost, `{ me { role } }`, {}, { token: 'hpt_not_a_real_token' }))).toEqual([
      'unauthenticated',
    ]);
  });

  test('introspection needs no token, so GraphiQL and code generators can read the schema', async () => {
    const result = await gql(hookpost, `{ __schema { queryType { name } } __typename }`, {}, { token: null });
    expect(result).toEqual({ data: { __schema: { queryType: { name: 'Query' } }, __typename: 'Query' } });
    expect(
      errorCodes(await gql(hookpost, `{ __typename mailboxes { totalCount: __typename } }`, {}, { token: null })),
    ).toEqual(['unauthenticated']);
  });

  test('a viewer reads everything but header values and signing secrets', async () => {
    const data = await gqlData(
      hookpost,
      `query($id: ID!) { me { role name } endpoint(id: $id) { headers { name value } } }`,
      { id: endpointId },
      { token: viewerToken },
    );
    expect(data.me).toEqual({ role: 'viewer', name: 'dashboard' });
    expect(data.endpoint.headers).toEqual([
      { name: 'Authorization', value: '[hidden]' },
      { name: 'X-Team', value: '[hidden]' },
    ]);
    const secret = await gql(
      hookpost,
      `query($id: ID!) { signingSecret(endpointId: $id) }`,
      { id: endpointId },
      { token: viewerToken },
    );
    expect(errorCodes(secret)).toEqual(['forbidden']);
    expect(secret.errors![0]!.message).toMatch(/operator role/);
    expect(
      errorCodes(await gql(hookpost, `{ accessTokens { edges { node { id } } } }`, {}, { token: viewerToken })),
    ).toEqual(['forbidden']);
  });

  test('an operator reveals the signing secret; an admin lists access tokens', async () => {
    expect(
      (await gqlData(hookpost, `query($id: ID!) { signingSecret(endpointId: $id) }`, { id: endpointId })).signingSecret,
    ).toMatch(/^whsec_/);
    const tokens = await gqlData(hookpost, `{ accessTokens { edges { node { name role prefix } } } }`);
    expect(tokens.accessTokens.edges.map((edge: { node: { name: string } }) => edge.node.name)).toEqual([
      'HOOKPOST_ADMIN_TOKEN',
      'dashboard',
    ]);
  });
});

describe('unexpected errors', () => {
  test('are masked as internal_error without their details', async () => {
    await db.pool.query('alter table mailbox rename to mailbox_gone');
    try {
      const result = await gql(hookpost, `{ mailboxes { edges { node { id } } } }`);
      expect(errorCodes(result)).toEqual(['internal_error']);
      expect(result.errors![0]!.message).toBe('Something went wrong on our side; it was logged.');
      expect(JSON.stringify(result)).not.toMatch(/mailbox_gone|relation|prisma/i);
    } finally {
      await db.pool.query('alter table mailbox_gone rename to mailbox');
    }
  });
});
