/**
 * The audit log: an action recorded by a service (through recordAudit, in its own
 * transaction) is read back by admins over GraphQL and REST, newest first, with filters
 * and pages; nobody else may read it; nothing secret is stored; an entry written in a
 * transaction that rolls back is gone with it.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAccessToken } from '../server/auth/accessTokens.ts';
import { recordAudit } from '../server/audit/auditLog.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { errorCodes, gql, gqlData } from './support/graphql.ts';
import { startTestHookpost, type TestHookpost } from './support/hookpost.ts';

let db: TestDatabase;
let hookpost: TestHookpost;
let operator: string;
const ada = { tokenId: '0193a1b2-0000-7000-8000-00000000000a', name: 'Ada', role: 'admin' as const };
const bob = { tokenId: '0193a1b2-0000-7000-8000-00000000000b', name: 'Bob', role: 'operator' as const };
const endpointId = '0193a1b2-0000-7000-8000-0000000000e1';

beforeAll(async () => {
  db = await createTestDatabase();
  hookpost = await startTestHookpost(db.url, { role: 'api' });
  operator = (await createAccessToken(hookpost.runtime, ada, { name: 'ops', role: 'operator' })).token;
  const { pool } = hookpost.runtime;
  await recordAudit(pool, ada, {
    action: 'mailbox.create',
    target: { type: 'mailbox', id: 'm1' },
    summary: { name: 'Orders' },
  });
  await recordAudit(pool, bob, {
    action: 'endpoint.update',
    target: { type: 'endpoint', id: endpointId },
    summary: { description: 'primary', headers: { Authorization: 'Bearer live-secret' } },
  });
  await recordAudit(pool, bob, {
    action: 'endpoint.rotate_secret',
    target: { type: 'endpoint', id: endpointId },
    summary: { signingSecret: 'whsec_c2VjcmV0LXNlY3JldA' },
  });
  await recordAudit(pool, null, { action: 'session.sign_in_refused', target: { type: 'session', id: null } });
});

afterAll(async () => {
  await hookpost?.stop();
  await db?.drop();
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
    ]);
    expect(actions(await gqlData(hookpost, LOG, { filter: { action: 'endpoint.update' } }))).toEqual([
      'endpoint.update',
    ]);
    expect(actions(await gqlData(hookpost, LOG, { filter: { until: '2000-01-01T00:00:00Z' } }))).toEqual([]);
    expect(actions(await gqlData(hookpost, LOG, { filter: { since: '2000-01-01T00:00:00Z' } }))).toHaveLength(4);
    const first = await gqlData(hookpost, LOG, { first: 3 });
    expect(first.auditLog.pageInfo.hasNextPage).toBe(true);
    const rest = await gqlData(hookpost, LOG, { first: 3, after: first.auditLog.pageInfo.endCursor });
    expect(actions(rest)).toEqual(['mailbox.create']);
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
