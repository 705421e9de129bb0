/**
 * Dashboard sessions. A person signs in with an access token once; the browser then
 * holds an httpOnly, SameSite=Strict cookie with a random session secret (only its hash
 * is stored), so the token itself never sits in page-readable storage. A session ends
 * when it expires, when the person signs out, or when its token is revoked; its live
 * connections end at that moment too (http/sessionEnd.ts).
 */
import { newId } from '../ids.ts';
import type pg from 'pg';
import { recordAudit } from '../audit/auditLog.ts';
import type { ChangeBus } from '../db/changeBus.ts';
import { withTransaction } from '../db/pool.ts';
import { AppError } from '../errors.ts';
import { authenticate } from './accessTokens.ts';
import type { Actor } from './roles.ts';
import { generateToken, hashToken } from './tokens.ts';

export const SESSION_COOKIE = 'hookpost_session';
export const SESSION_TTL_MS = 12 * 3600_000;

/** Where a sign-in came from, for the audit log. */
export interface SignInOrigin {
  ip: string;
}

/** Signs in (and records it, or the refusal, in the audit log). */
export async function openSession(
  rt: { pool: pg.Pool },
  accessToken: string | undefined,
  origin: SignInOrigin,
): Promise<{ secret: string; actor: Actor; expiresAt: Date }> {
  const actor = await authenticate(rt, accessToken);
  if (!actor) {
    await recordAudit(rt.pool, null, {
      action: 'session.sign_in_refused',
      target: { type: 'session', id: null },
      summary: { ip: origin.ip },
    });
    throw new AppError('unauthenticated', 'That access token is not valid (or was revoked).');
  }
  const secret = generateToken('hps');
  const sessionId = newId();
  // A session never outlives its token.
  const expiresAt = new Date(Math.min(Date.now() + SESSION_TTL_MS, actor.expiresAt?.getTime() ?? Infinity));
  await withTransaction(rt.pool, async (client) => {
    await client.query('insert into operator_session (id, hash, access_token_id, expires_at) values ($1, $2, $3, $4)', [
      sessionId,
      hashToken(secret),
      actor.tokenId,
      expiresAt,
    ]);
    await recordAudit(client, actor, {
      action: 'session.sign_in',
      target: { type: 'session', id: sessionId },
      summary: { ip: origin.ip, expiresAt: expiresAt.toISOString() },
    });
  });
  return { secret, actor, expiresAt };
}

export async function sessionActor(rt: { pool: pg.Pool }, secret: string | undefined): Promise<Actor | null> {
  if (!secret) return null;
  const { rows } = await rt.pool.query<{
    id: string;
    name: string;
    role: Actor['role'];
    sessionId: string;
    expiresAt: Date;
  }>({
    name: 'session_actor',
    text: `select t.id, t.name, t.role, s.id as "sessionId", s.expires_at as "expiresAt"
             from operator_session s join access_token t on t.id = s.access_token_id
            where s.hash = $1 and s.expires_at > now() and t.revoked_at is null
              and (t.expires_at is null or t.expires_at > now())`,
    values: [hashToken(secret)],
  });
  const row = rows[0];
  return row
    ? { tokenId: row.id, name: row.name, role: row.role, session: { id: row.sessionId, expiresAt: row.expiresAt } }
    : null;
}

/** Signs out: the session is deleted, and its live connections end in every process. */
export async function closeSession(
  rt: { pool: pg.Pool; changes: ChangeBus },
  secret: string | undefined,
): Promise<void> {
  if (!secret) return;
  const ended = await withTransaction(rt.pool, async (client) => {
    const { rows } = await client.query<{ id: string; tokenId: string; name: string; role: Actor['role'] }>(
      `delete from operator_session s using access_token t
        where s.hash = $1 and t.id = s.access_token_id
    returning s.id, t.id as "tokenId", t.name, t.role`,
      [hashToken(secret)],
    );
    for (const { id, tokenId, name, role } of rows) {
      await recordAudit(
        client,
        { tokenId, name, role },
        { action: 'session.sign_out', target: { type: 'session', id } },
      );
    }
    return rows;
  });
  for (const { id } of ended) rt.changes.publish({ kind: 'session', sessionId: id });
}
