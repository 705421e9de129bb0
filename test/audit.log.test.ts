/**
 * The audit log: an action recorded by a service (through recordAudit, in its own
 * transaction) is read back by admins over GraphQL and REST, newest first, with filters
 * and pages; nobody else may read it; nothing secret is stored; an entry written in a
 * transaction that rolls back is gone with it. And the real thing: every management
 * action of a full flow over REST and GraphQL is on record exactly once, with who, what
 * and to what, without a secret value, while refused actions leave no entry.
 */
import { beforeAll, describe, expect, test, vi } from 'vitest';
import { createAccessToken } from '../server/auth/accessTokens.ts';
import { recordAudit } from '../server/audit/auditLog.ts';
import { errorCodes, gql, gqlData } from './support/graphql.ts';
import { sendEvent, TEST_ADMIN_TOKEN } from './support/hookpost.ts';
import { useHookpost, useReceiver } from './support/hooks.ts';

const { db, hookpost } = useHookpost({ role: 'api' });
let operator: string;
const ada = { tokenId: '0193a1b2-0000-7000-8000-00000000000a', name: 'Ada', role: 'admin' as const };
const bob = { tokenId: '0193a1b2-0000-7000-8000-00000000000b', name: 'Bob', role: 'operator' as const };
const endpointId = '0193a1b2-0000-7000-8000-0000000000e1';

beforeAll(async () => {
  operator = (await createAccessToken(hookpost.runtime, ada, { name: 'ops', role: 'operator' })).token;
  const { pool } = hookpost.runtime;
  // Entries are ordered by their time-ordered ids, to the millisecond: a pause keeps these apart.
  const tick = () => new Promise((resolve) => setTimeout(resolve, 3));
  await tick();
  await recordAudit(pool, ada, {
    action: 'mailbox.create',
    target: { type: 'mailbox', id: 'm1' },
    summary: { name: 'Orders' },
  });
  await tick();
  await recordAudit(pool, bob, {
    action: 'endpoint.update',
    target: { type: 'endpoint', id: endpointId },
    summary: { description: 'primary', headers: { Authorization: 'Bearer live-secret' } },
  });
  await tick();
  await recordAudit(pool, bob, {
    action: 'endpoint.rotate_secret',
    target: { type: 'endpoint', id: endpointId },
    summary: { signingSecret: 'whsec_c2VjcmV0LXNlY3JldA' },
  });
  await tick();
  await recordAudit(pool, null, { action: 'session.sign_in_refused', target: { type: 'session', id: null } });
});

const LOG = `query($filter: AuditFilter, $first: Int, $after: String) {
  auditLog(filter: $filter, first: $first, after: $after) {
    edges { node { action actorName actorTokenId targetType targetId summary } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const actions = (data: { auditLog: { edges: { node: { action: string } }[] } }) =>
  data.auditLog.edges.map((edge) => edge.node.action);

describe('GraphQL', () => {
  test('admins read it newest first, with who, what and the change', async () => {
    const data = await gqlData(hookpost, LOG);
    expect(actions(data)).toEqual([
      'session.sign_in_refused',
      'endpoint.rotate_secret',
      'endpoint.update',
      'mailbox.create',
      // The operator token this file made.
      'access_token.create',
    ]);
    expect(data.auditLog.edges[2].node).toEqual({
      action: 'endpoint.update',
      actorName: 'Bob',
      actorTokenId: bob.tokenId,
      targetType: 'endpoint',
      targetId: endpointId,
      summary: JSON.stringify({ headers: { names: ['Authorization'] }, description: 'primary' }),
    });
    expect(data.auditLog.edges[0].node).toMatchObject({ actorName: 'anonymous', actorTokenId: null, targetId: null });
  });

  test('filters: by target, actor, action and time; pages', async () => {
    expect(actions(await gqlData(hookpost, LOG, { filter: { targetType: 'endpoint', targetId: endpointId } }))).toEqual(
      ['endpoint.rotate_secret', 'endpoint.update'],
    );
    expect(actions(await gqlData(hookpost, LOG, { filter: { actorTokenId: ada.tokenId } }))).toEqual([
      'mailbox.create',
      'access_token.create',
    ]);
    expect(actions(await gqlData(hookpost, LOG, { filter: { action: 'endpoint.update' } }))).toEqual([
      'endpoint.update',
    ]);
    expect(actions(await gqlData(hookpost, LOG, { filter: { until: '2000-01-01T00:00:00Z' } }))).toEqual([]);
    expect(actions(await gqlData(hookpost, LOG, { filter: { since: '2000-01-01T00:00:00Z' } }))).toHaveLength(5);
    const first = await gqlData(hookpost, LOG, { first: 3 });
    expect(first.auditLog.pageInfo.hasNextPage).toBe(true);
    const rest = await gqlData(hookpost, LOG, { first: 3, after: first.auditLog.pageInfo.endCursor });
    expect(actions(rest)).toEqual(['mailbox.create', 'access_token.create']);
    expect(errorCodes(await gql(hookpost, LOG, { filter: { action: 'endpoint.explode' } }))).toEqual([
      'validation_failed',
    ]);
  });

  test('an operator may not read it', async () => {
    expect(errorCodes(await gql(hookpost, LOG, {}, { token: operator }))).toEqual(['forbidden']);
  });
});

describe('REST', () => {
  test('GET /api/audit-log: newest first, filtered, paged with a cursor', async () => {
    const response = await hookpost.api(`/api/audit-log?target_id=${endpointId}&limit=1`);
    expect(response.status).toBe(200);
    const [entry] = await response.json();
    expect(entry).toMatchObject({
      action: 'endpoint.rotate_secret',
      actor_name: 'Bob',
      target_type: 'endpoint',
      summary: { signingSecret: '[redacted]' },
    });
    const next = response.headers.get('x-next-cursor');
    const older = await (await hookpost.api(`/api/audit-log?target_id=${endpointId}&limit=1&cursor=${next}`)).json();
    expect(older.map((e: { action: string }) => e.action)).toEqual(['endpoint.update']);
    expect((await hookpost.api('/api/audit-log?since=yesterday')).status).toBe(422);
    expect((await hookpost.api('/api/audit-log', { token: operator })).status).toBe(403);
  });
});

describe('what is stored', () => {
  test('no secret value reaches the table', async () => {
    const { rows } = await db.pool.query(`select summary::text as summary from audit_entry`);
    const stored = rows.map((row) => row.summary).join('\n');
    expect(stored).not.toContain('live-secret');
    expect(stored).not.toContain('whsec_');
  });

  test('an entry recorded in a transaction that rolls back is gone with it', async () => {
    const client = await hookpost.runtime.pool.connect();
    try {
      await client.query('begin');
      await recordAudit(client, ada, { action: 'mailbox.delete', target: { type: 'mailbox', id: 'm1' } });
      await client.query('rollback');
    } finally {
      client.release();
    }
    expect(await db.count('audit_entry', `action = 'mailbox.delete'`)).toBe(0);
  });
});

describe('a full flow over REST and GraphQL', () => {
  const { db: flowDb, hookpost: app } = useHookpost();
  const receiver = useReceiver({ status: 500 });

  const json = async (response: Response, status: number) => {
    const text = await response.text();
    expect(response.status, text).toBe(status);
    return text ? JSON.parse(text) : null;
  };
  const eventStatus = async (trackingNumber: string) =>
    (await (await app.api(`/api/webhooks/${trackingNumber}`)).json()).status;
  const failed = (trackingNumber: string) =>
    vi.waitFor(async () => expect(await eventStatus(trackingNumber)).toBe('failed'), { timeout: 10_000, interval: 50 });
  const entryCount = () => flowDb.count('audit_entry');

  test('records every action once, with actor, action, target and summary, and no secret value', async () => {
    const secrets: string[] = [TEST_ADMIN_TOKEN];
    const g = (query: string, variables: Record<string, unknown>, token: string) =>
      gqlData(app, query, variables, { token });

    // Admin (REST): an operator token and a viewer token.
    const ops = await json(
      await app.api('/api/access-tokens', { method: 'POST', json: { name: 'flow ops', role: 'operator' } }),
      201,
    );
    const viewer = await json(
      await app.api('/api/access-tokens', { method: 'POST', json: { name: 'flow viewer', role: 'viewer' } }),
      201,
    );
    secrets.push(ops.token, viewer.token);

    // Dashboard sign-in: one refused, one accepted; the cookie is a secret too.
    const signIn = (token: string) =>
      fetch(`${app.baseUrl}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: app.baseUrl },
        body: JSON.stringify({ token }),
      });
    const wrong = `hpt_wrong_${'y'.repeat(30)}`;
    secrets.push(wrong);
    expect((await signIn(wrong)).status).toBe(401);
    const signedIn = await signIn(ops.token);
    expect(signedIn.status).toBe(200);
    const cookie = signedIn.headers.get('set-cookie')!.split(';')[0]!;
    secrets.push(cookie.split('=')[1]!);

    // Operator (REST): a mailbox with its first endpoint, renamed; a key made.
    const mailbox = await json(
      await app.api('/api/mailboxes', {
        method: 'POST',
        token: ops.token,
        json: { name: 'Orders', target_url: `${receiver.url}/first` },
      }),
      201,
    );
    secrets.push(mailbox.api_key, mailbox.signing_secret);
    await json(
      await app.api(`/api/mailboxes/${mailbox.id}`, { method: 'PATCH', token: ops.token, json: { name: 'Orders EU' } }),
      200,
    );
    const key = await json(
      await app.api(`/api/mailboxes/${mailbox.id}/api-keys`, {
        method: 'POST',
        token: ops.token,
        json: { name: 'k2' },
      }),
      201,
    );
    secrets.push(key.api_key);
    // (GraphQL) and revoked.
    await g(`mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: key.id }, ops.token);

    // An endpoint with a secret custom header (REST), changed with another (GraphQL).
    const endpoint = await json(
      await app.api(`/api/mailboxes/${mailbox.id}/endpoints`, {
        method: 'POST',
        token: ops.token,
        json: {
          url: `${receiver.url}/second`,
          headers: { 'X-Credentials': 'first-hush-value' },
          retry_policy: { max_attempts: 1 },
        },
      }),
      201,
    );
    secrets.push(endpoint.signing_secret, 'first-hush-value', 'second-hush-value');
    await g(
      `mutation($id: ID!, $input: UpdateEndpointInput!) { updateEndpoint(id: $id, input: $input) { id } }`,
      { id: endpoint.id, input: { description: 'primary', headers: [{ name: 'X-Pass', value: 'second-hush-value' }] } },
      ops.token,
    );
    await json(await app.api(`/api/endpoints/${endpoint.id}/disable`, { method: 'POST', token: ops.token }), 200);
    await g(`mutation($id: ID!) { enableEndpoint(id: $id) { id } }`, { id: endpoint.id }, ops.token);
    const revealed = await json(await app.api(`/api/endpoints/${endpoint.id}/secret`, { token: ops.token }), 200);
    const rotated = await g(
      `mutation($id: ID!) { rotateEndpointSecret(id: $id) { signingSecret } }`,
      { id: endpoint.id },
      ops.token,
    );
    secrets.push(revealed.signing_secret, rotated.rotateEndpointSecret.signingSecret);
    await g(`mutation($id: ID!) { deleteEndpoint(id: $id) { id } }`, { id: mailbox.endpoint_id }, ops.token);
    const test = await g(
      `mutation($id: ID!) { sendTestEvent(endpointId: $id) { event { id } } }`,
      { id: endpoint.id },
      ops.token,
    );

    // Retries: the event (GraphQL), then its delivery (REST).
    const { tracking_number } = await json(await sendEvent(app, mailbox, { event: 'order.created' }), 202);
    await failed(tracking_number);
    await g(
      `mutation($tn: ID!) { retryEvent(trackingNumber: $tn) { deliveries { id } } }`,
      { tn: tracking_number },
      ops.token,
    );
    await failed(tracking_number);
    const deliveryId = (await (await app.api(`/api/webhooks/${tracking_number}`)).json()).deliveries[0].id;
    await json(await app.api(`/api/deliveries/${deliveryId}/retry`, { method: 'POST', token: ops.token }), 202);
    await failed(tracking_number);

    // Refused actions record nothing: a viewer's change (403 / forbidden), an operator's
    // token (forbidden), an unsendable header (422), nothing to retry (not_retryable).
    const before = await entryCount();
    expect((await app.api('/api/mailboxes', { method: 'POST', token: viewer.token, json: { name: 'X' } })).status).toBe(
      403,
    );
    expect(
      errorCodes(
        await gql(
          app,
          `mutation($id: ID!) { rotateEndpointSecret(id: $id) { signingSecret } }`,
          { id: endpoint.id },
          {
            token: viewer.token,
          },
        ),
      ),
    ).toEqual(['forbidden']);
    expect(
      errorCodes(
        await gql(
          app,
          `mutation { createAccessToken(name: "sneaky", role: admin) { token } }`,
          {},
          { token: ops.token },
        ),
      ),
    ).toEqual(['forbidden']);
    expect(
      (
        await app.api(`/api/endpoints/${endpoint.id}`, {
          method: 'PATCH',
          token: ops.token,
          json: { headers: { 'X-Bad': 'line\nbreak' } },
        })
      ).status,
    ).toBe(422);
    expect((await app.api(`/api/audit-log`, { token: ops.token })).status).toBe(403);
    const delivered = await json(
      await app.api(`/api/webhooks/${test.sendTestEvent.event.id}/retry`, { method: 'POST', token: viewer.token }),
      403,
    );
    expect(delivered.error.code).toBe('forbidden');
    expect(await entryCount()).toBe(before);

    // The mailbox goes (GraphQL), the operator signs out (cookie), the admin revokes its token.
    await g(`mutation($id: ID!) { deleteMailbox(id: $id) { id } }`, { id: mailbox.id }, ops.token);
    const signOut = await fetch(`${app.baseUrl}/api/session`, {
      method: 'DELETE',
      headers: { cookie, origin: app.baseUrl },
    });
    expect(signOut.status).toBe(204);
    await gqlData(app, `mutation($id: ID!) { revokeAccessToken(id: $id) { id } }`, { id: ops.id });

    const log = await gqlData(
      app,
      `{ auditLog(first: 100) { edges { node {
      action actorName actorTokenId targetType targetId summary } } } }`,
    );
    const entries = (
      log.auditLog.edges as {
        node: {
          action: string;
          actorName: string;
          actorTokenId: string | null;
          targetType: string;
          targetId: string | null;
          summary: string;
        };
      }[]
    )
      .map((edge) => ({ ...edge.node, summary: JSON.parse(edge.node.summary) }))
      .reverse();
    const admin = 'HOOKPOST_ADMIN_TOKEN';
    const [sessionId] = entries.filter((e) => e.action === 'session.sign_in').map((e) => e.targetId);
    expect(entries.map((e) => [e.actorName, e.action, e.targetType, e.targetId])).toEqual([
      [admin, 'access_token.create', 'access_token', ops.id],
      [admin, 'access_token.create', 'access_token', viewer.id],
      ['anonymous', 'session.sign_in_refused', 'session', null],
      ['flow ops', 'session.sign_in', 'session', sessionId],
      ['flow ops', 'mailbox.create', 'mailbox', mailbox.id],
      ['flow ops', 'mailbox.update', 'mailbox', mailbox.id],
      ['flow ops', 'api_key.create', 'api_key', key.id],
      ['flow ops', 'api_key.revoke', 'api_key', key.id],
      ['flow ops', 'endpoint.create', 'endpoint', endpoint.id],
      ['flow ops', 'endpoint.update', 'endpoint', endpoint.id],
      ['flow ops', 'endpoint.disable', 'endpoint', endpoint.id],
      ['flow ops', 'endpoint.enable', 'endpoint', endpoint.id],
      ['flow ops', 'endpoint.reveal_secret', 'endpoint', endpoint.id],
      ['flow ops', 'endpoint.rotate_secret', 'endpoint', endpoint.id],
      ['flow ops', 'endpoint.delete', 'endpoint', mailbox.endpoint_id],
      ['flow ops', 'endpoint.send_test_event', 'endpoint', endpoint.id],
      ['flow ops', 'event.retry', 'event', tracking_number],
      ['flow ops', 'delivery.retry', 'delivery', deliveryId],
      ['flow ops', 'mailbox.delete', 'mailbox', mailbox.id],
      ['flow ops', 'session.sign_out', 'session', sessionId],
      [admin, 'access_token.revoke', 'access_token', ops.id],
    ]);
    const byAction = Object.fromEntries(entries.map((e) => [e.action, e]));
    expect(entries.filter((e) => e.actorName === 'flow ops').every((e) => e.actorTokenId === ops.id)).toBe(true);
    expect(byAction['access_token.create']!.summary).toEqual({ name: 'flow viewer', role: 'viewer', expiresAt: null });
    expect(byAction['session.sign_in_refused']!.summary).toEqual({ ip: expect.any(String) });
    expect(byAction['mailbox.create']!.summary).toEqual({
      name: 'Orders',
      targetUrl: `${receiver.url}/first`,
      endpointId: mailbox.endpoint_id,
    });
    expect(byAction['mailbox.update']!.summary).toEqual({ name: 'Orders EU', previousName: 'Orders' });
    expect(byAction['api_key.revoke']!.summary).toEqual({ mailboxId: mailbox.id, name: 'k2', graceSeconds: 0 });
    expect(byAction['endpoint.update']!.summary).toEqual({ description: 'primary', headers: { names: ['X-Pass'] } });
    expect(byAction['event.retry']!.summary).toEqual({ deliveryIds: [deliveryId] });
    expect(byAction['delivery.retry']!.summary).toEqual({ eventId: tracking_number });

    // Nothing secret anywhere in the table (summaries, names, ids), over REST either.
    const { rows } = await flowDb.pool.query(`select row_to_json(audit_entry)::text as row from audit_entry`);
    const rest = await (await app.api('/api/audit-log?limit=200')).text();
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(8);
      for (const stored of [rows.map((row) => row.row).join('\n'), rest]) expect(stored).not.toContain(secret);
    }
  });
});
