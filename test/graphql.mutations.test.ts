/**
 * Every mutation through GraphQL, its validation errors (with `extensions.code` and the
 * input path), and who may call it. The work is done by the same services as REST, so
 * effects are checked where a user would see them: ingest, the receiver, queries.
 */
import { beforeAll, describe, expect, test, vi } from 'vitest';
import { errorCodes, gql, gqlData, type GraphQLResponse } from './support/graphql.ts';
import type { Endpoint, Mailbox } from '../clients/typescript/src/types.ts';
import { sendEvent } from './support/hookpost.ts';
import { useHookpost, useReceiver } from './support/hooks.ts';
import { listAll } from './support/listAll.ts';

const { hookpost } = useHookpost();
const receiver = useReceiver();
let viewerToken: string;
let operatorToken: string;
const mailboxNames = async () =>
  (await listAll<Mailbox>(hookpost, '/api/mailboxes?include_deleted=true')).map((mailbox) => mailbox.name);

const CREATE_MAILBOX = `mutation($input: CreateMailboxInput!) { createMailbox(input: $input) { apiKey signingSecret mailbox { id name } endpoint { id url eventTypes } } }`;
const CREATE_ENDPOINT = `mutation($input: CreateEndpointInput!) { createEndpoint(input: $input) { signingSecret endpoint { id url description eventTypes timeoutMs enabled headers { name value } retryPolicy { maxAttempts baseDelayMs schedule } } } }`;

async function newMailbox(name = 'Shop', targetUrl: string | null = `${receiver.url}/shop`) {
  const data = await gqlData(hookpost, CREATE_MAILBOX, { input: { name, targetUrl } });
  return {
    id: data.createMailbox.mailbox.id as string,
    apiKey: data.createMailbox.apiKey as string,
    endpointId: data.createMailbox.endpoint?.id as string,
  };
}

function expectRefused(result: GraphQLResponse, code: string, message?: RegExp) {
  expect(errorCodes(result)).toEqual([code]);
  if (message) expect(result.errors![0]!.message).toMatch(message);
}

beforeAll(async () => {
  viewerToken = (await gqlData(hookpost, `mutation { createAccessToken(name: "viewer", role: viewer) { token } }`))
    .createAccessToken.token;
  operatorToken = (
    await gqlData(
      hookpost,
      `mutation { createAccessToken(name: "ops", role: operator) { token accessToken { role prefix } } }`,
    )
  ).createAccessToken.token;
});

describe('mailboxes', () => {
  test('createMailbox returns the API key once, and the target URL becomes the first endpoint', async () => {
    const data = await gqlData(
      hookpost,
      CREATE_MAILBOX,
      { input: { name: '  Orders ', targetUrl: `${receiver.url}/orders`, eventTypes: ['order.*'] } },
      { token: operatorToken },
    );
    expect(data.createMailbox).toMatchObject({
      apiKey: expect.stringMatching(/^hpk_/),
      signingSecret: expect.stringMatching(/^whsec_/),
      mailbox: { name: 'Orders' },
      endpoint: { url: `${receiver.url}/orders`, eventTypes: ['order.*'] },
    });
    const sent = await sendEvent(
      hookpost,
      { id: data.createMailbox.mailbox.id, api_key: data.createMailbox.apiKey },
      { event: 'order.created' },
    );
    expect(sent.status).toBe(202);
  });

  test('createMailbox validates its input where it is declared', async () => {
    expectRefused(await gql(hookpost, CREATE_MAILBOX, { input: { name: '   ' } }), 'validation_failed', /input\.name/);
    expectRefused(
      await gql(hookpost, CREATE_MAILBOX, { input: { name: 'x', targetUrl: 'ftp://example.com/x' } }),
      'validation_failed',
      /input\.targetUrl: must be an http or https URL/,
    );
    expectRefused(
      await gql(hookpost, CREATE_MAILBOX, {
        input: { name: 'x', targetUrl: 'http://example.com', eventTypes: ['no spaces'] },
      }),
      'validation_failed',
      /input\.eventTypes/,
    );
    expectRefused(
      await gql(hookpost, CREATE_MAILBOX, { input: { name: 'x', targetUrl: 'http://10.1.2.3/hook' } }),
      'target_not_allowed',
      /private/,
    );
    expect(await mailboxNames()).not.toContain('x');
  });

  test('updateMailbox renames; deleteMailbox stops its keys and keeps it readable', async () => {
    const mailbox = await newMailbox('Before');
    expect(
      (
        await gqlData(hookpost, `mutation($id: ID!) { updateMailbox(id: $id, name: "After") { name } }`, {
          id: mailbox.id,
        })
      ).updateMailbox,
    ).toEqual({ name: 'After' });
    expectRefused(
      await gql(hookpost, `mutation($id: ID!) { updateMailbox(id: $id, name: "") { name } }`, { id: mailbox.id }),
      'validation_failed',
      /name/,
    );

    const deleted = await gqlData(
      hookpost,
      `mutation($id: ID!) { deleteMailbox(id: $id) { name deletedAt endpoints(includeDeleted: true) { edges { node { deletedAt enabled } } } } }`,
      { id: mailbox.id },
    );
    expect(deleted.deleteMailbox.deletedAt).toEqual(expect.any(String));
    expect(deleted.deleteMailbox.endpoints.edges[0].node).toEqual({ deletedAt: expect.any(String), enabled: false });
    expect((await sendEvent(hookpost, { id: mailbox.id, api_key: mailbox.apiKey }, { event: 'x' })).status).toBe(401);
    expectRefused(
      await gql(hookpost, `mutation($id: ID!) { deleteMailbox(id: $id) { id } }`, { id: mailbox.id }),
      'not_found',
    );
    expectRefused(
      await gql(hookpost, `mutation { updateMailbox(id: "0193a1b2-0000-7000-8000-000000000000", name: "x") { id } }`),
      'not_found',
    );
  });

  test('API key rotation: a second live key, then the old one revoked, with or without grace', async () => {
    const mailbox = await newMailbox('Keys');
    const created = await gqlData(
      hookpost,
      `mutation($m: ID!) { createApiKey(mailboxId: $m, name: "ci") { apiKey key { id name active prefix } } }`,
      { m: mailbox.id },
    );
    const second = created.createApiKey;
    expect(second.key).toMatchObject({ name: 'ci', active: true, prefix: second.apiKey.slice(0, 12) });
    expect((await sendEvent(hookpost, { id: mailbox.id, api_key: second.apiKey }, { event: 'a' })).status).toBe(202);
    expect((await sendEvent(hookpost, { id: mailbox.id, api_key: mailbox.apiKey }, { event: 'a' })).status).toBe(202);

    const keys = await gqlData(
      hookpost,
      `query($m: ID!) { mailbox(id: $m) { apiKeys { edges { node { id name } } } } }`,
      { m: mailbox.id },
    );
    const first = keys.mailbox.apiKeys.edges.find((edge: { node: { name: string } }) => edge.node.name === 'default')
      .node.id;
    const revoked = await gqlData(hookpost, `mutation($id: ID!) { revokeApiKey(id: $id) { active revokedAt } }`, {
      id: first,
    });
    expect(revoked.revokeApiKey.active).toBe(false);
    expect((await sendEvent(hookpost, { id: mailbox.id, api_key: mailbox.apiKey }, { event: 'a' })).status).toBe(401);
    expectRefused(
      await gql(hookpost, `mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: first }),
      'conflict',
    );

    const graced = await gqlData(
      hookpost,
      `mutation($id: ID!) { revokeApiKey(id: $id, graceSeconds: 3600) { active revokedAt } }`,
      { id: second.key.id },
    );
    expect(graced.revokeApiKey.active).toBe(true);
    expect(Date.parse(graced.revokeApiKey.revokedAt)).toBeGreaterThan(Date.now() + 3_500_000);
    expect((await sendEvent(hookpost, { id: mailbox.id, api_key: second.apiKey }, { event: 'a' })).status).toBe(202);
    expectRefused(
      await gql(hookpost, `mutation($id: ID!) { revokeApiKey(id: $id, graceSeconds: -1) { id } }`, {
        id: second.key.id,
      }),
      'validation_failed',
      /graceSeconds/,
    );
  });
});

describe('endpoints', () => {
  test('createEndpoint with every setting, and its secret once', async () => {
    const mailbox = await newMailbox('Endpoints', null);
    const data = await gqlData(hookpost, CREATE_ENDPOINT, {
      input: {
        mailboxId: mailbox.id,
        url: `${receiver.url}/full`,
        description: 'billing',
        eventTypes: ['invoice.*'],
        headers: [{ name: 'X-Team', value: 'billing' }],
        timeoutMs: 5000,
        retryPolicy: { schedule: [1000, 5000] },
        enabled: false,
      },
    });
    expect(data.createEndpoint).toEqual({
      signingSecret: expect.stringMatching(/^whsec_/),
      endpoint: {
        id: expect.any(String),
        url: `${receiver.url}/full`,
        description: 'billing',
        eventTypes: ['invoice.*'],
        timeoutMs: 5000,
        enabled: false,
        headers: [{ name: 'X-Team', value: 'billing' }],
        retryPolicy: { maxAttempts: 3, baseDelayMs: 2000, schedule: [1000, 5000] },
      },
    });
  });

  test('createEndpoint refuses bad input, naming each field', async () => {
    const mailbox = await newMailbox('Bad endpoints', null);
    const bad = async (fields: Record<string, unknown>) =>
      gql(hookpost, CREATE_ENDPOINT, { input: { mailboxId: mailbox.id, url: `${receiver.url}/x`, ...fields } });
    expectRefused(await bad({ url: 'not a url' }), 'validation_failed', /input\.url: must be an http or https URL/);
    expectRefused(await bad({ url: 'javascript:alert(1)' }), 'validation_failed', /input\.url/);
    expectRefused(await bad({ eventTypes: ['ok.*', 'not ok'] }), 'validation_failed', /input\.eventTypes.*"not ok"/);
    expectRefused(await bad({ timeoutMs: 10 }), 'validation_failed', /input\.timeoutMs/);
    expectRefused(
      await bad({ retryPolicy: { maxAttempts: 0 } }),
      'validation_failed',
      /input\.retryPolicy\.maxAttempts/,
    );
    expectRefused(await bad({ retryPolicy: { factor: 100 } }), 'validation_failed', /input\.retryPolicy\.factor/);
    expectRefused(
      await bad({ headers: [{ name: 'Content-Type', value: 'x' }] }),
      'validation_failed',
      /input\.headers.*set by Hookpost/,
    );
    expectRefused(
      await bad({
        headers: [
          { name: 'X-A', value: '1' },
          { name: 'x-a', value: '2' },
        ],
      }),
      'validation_failed',
      /input\.headers\.x-a: is the same header as X-A/,
    );
    expectRefused(await bad({ headers: [{ name: 'X-A', value: 'line\nbreak' }] }), 'validation_failed', /line breaks/);
    expectRefused(await bad({ url: 'http://169.254.169.254/latest' }), 'target_not_allowed');
    expectRefused(
      await gql(hookpost, CREATE_ENDPOINT, {
        input: { mailboxId: '0193a1b2-0000-7000-8000-000000000000', url: `${receiver.url}/x` },
      }),
      'not_found',
    );
    const endpoints = await listAll<Endpoint>(hookpost, `/api/mailboxes/${mailbox.id}/endpoints?include_deleted=true`);
    expect(endpoints).toEqual([]);
  });

  test('updateEndpoint changes only the fields given', async () => {
    const mailbox = await newMailbox('Update');
    const update = (input: Record<string, unknown>) =>
      gqlData(
        hookpost,
        `mutation($id: ID!, $input: UpdateEndpointInput!) { updateEndpoint(id: $id, input: $input) { url eventTypes timeoutMs headers { name value } retryPolicy { maxAttempts baseDelayMs factor } } }`,
        { id: mailbox.endpointId, input },
      );
    expect((await update({ url: `${receiver.url}/moved`, eventTypes: ['a.*'] })).updateEndpoint).toMatchObject({
      url: `${receiver.url}/moved`,
      eventTypes: ['a.*'],
      timeoutMs: 15000,
    });
    expect(
      (await update({ retryPolicy: { maxAttempts: 5, baseDelayMs: 100, factor: 3 }, timeoutMs: 2000 })).updateEndpoint,
    ).toMatchObject({
      url: `${receiver.url}/moved`,
      timeoutMs: 2000,
      retryPolicy: { maxAttempts: 5, baseDelayMs: 100, factor: 3 },
    });
    expect((await update({ headers: [{ name: 'X-Key', value: 'v' }] })).updateEndpoint.headers).toEqual([
      { name: 'X-Key', value: 'v' },
    ]);
    expect((await update({ headers: [] })).updateEndpoint.headers).toEqual([]);
    expectRefused(
      await gql(hookpost, `mutation($id: ID!) { updateEndpoint(id: $id, input: {url: "gopher://x"}) { url } }`, {
        id: mailbox.endpointId,
      }),
      'validation_failed',
      /input\.url/,
    );
  });

  test('disable and enable, rotate the secret, delete', async () => {
    const mailbox = await newMailbox('Lifecycle');
    const id = mailbox.endpointId;
    expect(
      (await gqlData(hookpost, `mutation($id: ID!) { disableEndpoint(id: $id) { enabled } }`, { id })).disableEndpoint,
    ).toEqual({ enabled: false });
    expect(
      (await gqlData(hookpost, `mutation($id: ID!) { enableEndpoint(id: $id) { enabled } }`, { id })).enableEndpoint,
    ).toEqual({ enabled: true });

    const before = (await gqlData(hookpost, `query($id: ID!) { signingSecret(endpointId: $id) }`, { id }))
      .signingSecret;
    const rotated = (
      await gqlData(
        hookpost,
        `mutation($id: ID!) { rotateEndpointSecret(id: $id) { signingSecret endpoint { id } } }`,
        { id },
      )
    ).rotateEndpointSecret;
    expect(rotated.signingSecret).toMatch(/^whsec_/);
    expect(rotated.signingSecret).not.toBe(before);
    expect((await gqlData(hookpost, `query($id: ID!) { signingSecret(endpointId: $id) }`, { id })).signingSecret).toBe(
      rotated.signingSecret,
    );

    expect(
      (await gqlData(hookpost, `mutation($id: ID!) { deleteEndpoint(id: $id) { deletedAt enabled } }`, { id }))
        .deleteEndpoint,
    ).toEqual({ deletedAt: expect.any(String), enabled: false });
    const listed = await gqlData(hookpost, `query($m: ID!) { endpoints(mailboxId: $m) { edges { node { id } } } }`, {
      m: mailbox.id,
    });
    expect(listed.endpoints.edges).toEqual([]);
    for (const mutation of ['deleteEndpoint', 'enableEndpoint', 'disableEndpoint', 'rotateEndpointSecret']) {
      const fields = mutation === 'rotateEndpointSecret' ? 'signingSecret' : 'id';
      expectRefused(
        await gql(hookpost, `mutation($id: ID!) { ${mutation}(id: $id) { ${fields} } }`, { id }),
        'not_found',
      );
    }
  });
});

describe('retries and test events', () => {
  test('retryEvent and retryDelivery re-queue failed deliveries as manual attempts', async () => {
    const mailbox = await newMailbox('Retries', `${receiver.url}/flaky`);
    await gqlData(
      hookpost,
      `mutation($id: ID!) { updateEndpoint(id: $id, input: {retryPolicy: {maxAttempts: 1}}) { id } }`,
      { id: mailbox.endpointId },
    );
    receiver.reply((request) => (request.path === '/flaky' ? { status: 503 } : { status: 200 }));
    const trackingNumber = (
      await (await sendEvent(hookpost, { id: mailbox.id, api_key: mailbox.apiKey }, { event: 'flaky' })).json()
    ).tracking_number;
    const status = async () =>
      (
        await gqlData(
          hookpost,
          `query($n: ID!) { event(trackingNumber: $n) { status deliveries { edges { node { id status attempts { edges { node { trigger statusCode } } } } } } } }`,
          { n: trackingNumber },
        )
      ).event;
    await vi.waitFor(async () => expect((await status()).status).toBe('failed'), { timeout: 10_000, interval: 100 });

    const retried = await gqlData(
      hookpost,
      `mutation($n: ID!) { retryEvent(trackingNumber: $n) { event { trackingNumber } deliveries { id status } } }`,
      { n: trackingNumber },
    );
    expect(retried.retryEvent.event.trackingNumber).toBe(trackingNumber);
    // Re-queued; the worker may already have claimed it by the time the payload is read.
    expect(retried.retryEvent.deliveries).toEqual([
      { id: expect.any(String), status: expect.stringMatching(/^(queued|delivering|failed)$/) },
    ]);
    await vi.waitFor(async () => expect((await status()).status).toBe('failed'), { timeout: 10_000, interval: 100 });

    receiver.reply({ status: 200 });
    const deliveryId = retried.retryEvent.deliveries[0].id;
    expect(
      (
        await gqlData(hookpost, `mutation($id: ID!) { retryDelivery(id: $id) { deliveries { id } } }`, {
          id: deliveryId,
        })
      ).retryDelivery.deliveries,
    ).toEqual([{ id: deliveryId }]);
    await vi.waitFor(async () => expect((await status()).status).toBe('delivered'), { timeout: 10_000, interval: 100 });
    const attempts = (await status()).deliveries.edges[0].node.attempts.edges.map(
      (edge: { node: unknown }) => edge.node,
    );
    expect(attempts).toEqual([
      { trigger: 'scheduled', statusCode: 503 },
      { trigger: 'manual', statusCode: 503 },
      { trigger: 'manual', statusCode: 200 },
    ]);

    expectRefused(
      await gql(hookpost, `mutation($id: ID!) { retryDelivery(id: $id) { event { id } } }`, { id: deliveryId }),
      'not_retryable',
    );
    expectRefused(
      await gql(hookpost, `mutation($n: ID!) { retryEvent(trackingNumber: $n) { event { id } } }`, {
        n: trackingNumber,
      }),
      'not_retryable',
    );
    expectRefused(
      await gql(
        hookpost,
        `mutation { retryEvent(trackingNumber: "0193a1b2-0000-7000-8000-000000000000") { event { id } } }`,
      ),
      'not_found',
    );
    expectRefused(await gql(hookpost, `mutation { retryDelivery(id: "nope") { event { id } } }`), 'not_found');
  });

  test('sendTestEvent delivers one signed test event to one endpoint, whatever its filter', async () => {
    receiver.reply({ status: 200 });
    const mailbox = await newMailbox('Tests', `${receiver.url}/tested`);
    await gqlData(
      hookpost,
      `mutation($id: ID!) { updateEndpoint(id: $id, input: {eventTypes: ["only.this"]}) { id } }`,
      { id: mailbox.endpointId },
    );
    const before = receiver.requests.length;
    const sent = await gqlData(
      hookpost,
      `mutation($id: ID!) { sendTestEvent(endpointId: $id) { event { trackingNumber eventType mailbox { id } } delivery { id endpoint { id } } } }`,
      { id: mailbox.endpointId },
    );
    expect(sent.sendTestEvent.event).toMatchObject({ eventType: 'hookpost.test', mailbox: { id: mailbox.id } });
    const [request] = (await receiver.waitForRequests(before + 1)).slice(before);
    expect(request!.path).toBe('/tested');
    expect(request!.headers['webhook-id']).toBe(sent.sendTestEvent.delivery.id);
    expect(JSON.parse(request!.body.toString())).toMatchObject({
      event: 'hookpost.test',
      data: { endpoint_id: mailbox.endpointId },
    });
    await vi.waitFor(
      async () => {
        const delivery = await gqlData(
          hookpost,
          `query($id: ID!) { delivery(id: $id) { status lastAttempt { trigger } } }`,
          { id: sent.sendTestEvent.delivery.id },
        );
        expect(delivery.delivery).toEqual({ status: 'delivered', lastAttempt: { trigger: 'test' } });
      },
      { timeout: 10_000, interval: 100 },
    );

    const custom = await gqlData(
      hookpost,
      `mutation($id: ID!) { sendTestEvent(endpointId: $id, eventType: "order.created", body: "{\\"ping\\":1}") { event { eventType body } } }`,
      { id: mailbox.endpointId },
    );
    expect(custom.sendTestEvent.event).toEqual({ eventType: 'order.created', body: '{"ping":1}' });

    expectRefused(
      await gql(hookpost, `mutation($id: ID!) { sendTestEvent(endpointId: $id, body: "{not json") { event { id } } }`, {
        id: mailbox.endpointId,
      }),
      'validation_failed',
      /body: must be valid JSON/,
    );
    expectRefused(
      await gql(
        hookpost,
        `mutation($id: ID!) { sendTestEvent(endpointId: $id, eventType: "has space") { event { id } } }`,
        { id: mailbox.endpointId },
      ),
      'validation_failed',
      /eventType/,
    );
    await gqlData(hookpost, `mutation($id: ID!) { disableEndpoint(id: $id) { id } }`, { id: mailbox.endpointId });
    expectRefused(
      await gql(hookpost, `mutation($id: ID!) { sendTestEvent(endpointId: $id) { event { id } } }`, {
        id: mailbox.endpointId,
      }),
      'conflict',
      /disabled/,
    );
    expectRefused(
      await gql(
        hookpost,
        `mutation { sendTestEvent(endpointId: "0193a1b2-0000-7000-8000-000000000000") { event { id } } }`,
      ),
      'not_found',
    );
  });
});

describe('access tokens and roles', () => {
  test('an admin makes and revokes access tokens; not the one in use', async () => {
    const created = await gqlData(
      hookpost,
      `mutation { createAccessToken(name: "temp", role: operator) { token accessToken { id role } } }`,
    );
    expect(created.createAccessToken.token).toMatch(/^hpt_/);
    expect((await gqlData(hookpost, `{ me { role } }`, {}, { token: created.createAccessToken.token })).me.role).toBe(
      'operator',
    );
    expect(
      (
        await gqlData(hookpost, `mutation($id: ID!) { revokeAccessToken(id: $id) { revokedAt } }`, {
          id: created.createAccessToken.accessToken.id,
        })
      ).revokeAccessToken.revokedAt,
    ).toEqual(expect.any(String));
    expectRefused(
      await gql(hookpost, `{ me { role } }`, {}, { token: created.createAccessToken.token }),
      'unauthenticated',
    );
    const me = await gqlData(hookpost, `{ me { tokenId } }`);
    expectRefused(
      await gql(hookpost, `mutation($id: ID!) { revokeAccessToken(id: $id) { id } }`, { id: me.me.tokenId }),
      'conflict',
    );
    expectRefused(
      await gql(hookpost, `mutation { createAccessToken(name: "", role: viewer) { token } }`),
      'validation_failed',
      /name/,
    );
  });

  test('an operator may not manage access tokens', async () => {
    expectRefused(
      await gql(
        hookpost,
        `mutation { createAccessToken(name: "x", role: admin) { token } }`,
        {},
        { token: operatorToken },
      ),
      'forbidden',
      /admin role/,
    );
  });

  test('a viewer may not change anything, and without a token nothing happens', async () => {
    const mailbox = await newMailbox('Guarded');
    const mutations = [
      [`mutation { createMailbox(input: {name: "v"}) { apiKey } }`, {}],
      [`mutation($id: ID!) { updateMailbox(id: $id, name: "v") { id } }`, { id: mailbox.id }],
      [`mutation($id: ID!) { deleteMailbox(id: $id) { id } }`, { id: mailbox.id }],
      [`mutation($id: ID!) { createApiKey(mailboxId: $id) { apiKey } }`, { id: mailbox.id }],
      [
        `mutation($id: ID!) { createEndpoint(input: {mailboxId: $id, url: "http://127.0.0.1/x"}) { signingSecret } }`,
        { id: mailbox.id },
      ],
      [`mutation($id: ID!) { updateEndpoint(id: $id, input: {timeoutMs: 2000}) { id } }`, { id: mailbox.endpointId }],
      [`mutation($id: ID!) { disableEndpoint(id: $id) { id } }`, { id: mailbox.endpointId }],
      [`mutation($id: ID!) { rotateEndpointSecret(id: $id) { signingSecret } }`, { id: mailbox.endpointId }],
      [`mutation($id: ID!) { deleteEndpoint(id: $id) { id } }`, { id: mailbox.endpointId }],
      [`mutation($id: ID!) { sendTestEvent(endpointId: $id) { event { id } } }`, { id: mailbox.endpointId }],
      [`mutation { retryEvent(trackingNumber: "0193a1b2-0000-7000-8000-000000000000") { event { id } } }`, {}],
    ] as const;
    for (const [mutation, variables] of mutations) {
      expectRefused(await gql(hookpost, mutation, variables, { token: viewerToken }), 'forbidden', /operator role/);
      expectRefused(await gql(hookpost, mutation, variables, { token: null }), 'unauthenticated');
    }
    const after = await gqlData(
      hookpost,
      `query($id: ID!) { mailbox(id: $id) { name deletedAt apiKeys { totalCount } endpoints { totalCount } } }`,
      { id: mailbox.id },
    );
    expect(after.mailbox).toEqual({
      name: 'Guarded',
      deletedAt: null,
      apiKeys: { totalCount: 1 },
      endpoints: { totalCount: 1 },
    });
    expect(await mailboxNames()).not.toContain('v');
  });

  test('an unauthenticated caller is refused before its input is looked at', async () => {
    expectRefused(await gql(hookpost, CREATE_MAILBOX, { input: { name: '' } }, { token: null }), 'unauthenticated');
  });
});
