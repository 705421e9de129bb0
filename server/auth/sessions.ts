/**
 * Dashboard sessions. A person signs in with an access token once; the browser then
 * holds an httpOnly, SameSite=Strict cookie with a random session secret (only its hash
 * is stored), so the token itself never sits in page-readable storage. A session ends
 * when it expires, when the person signs out, or when its token is revoked; its live
 * connections end at that moment too (http/sessionEnd.ts).
 */
import { newId } from '../ids.ts';
import type pg from 'pg';
import type { ChangeBus } from '../db/changeBus.ts';
import { AppError } from '../errors.ts';
import { authenticate } from './accessTokens.ts';
import type { Actor } from './roles.ts';
import { generateToken, hashToken } from './tokens.ts';

export const SESSION_COOKIE = 'hookpost_session';
export const SESSION_TTL_MS = 12 * 3600_000;

export async function openSession(
  rt: { pool: pg.Pool },
  accessToken: string | undefined,
): Promise<{ secret: string; actor: Actor; expiresAt: Date }> {
  const actor = await authenticate(rt, accessToken);
  if (!actor) throw new AppError('unauthenticated', 'That access token is not valid (or was revoked).');
  const secret = generateToken('hps');
  // A session never outlives its token.
  const expiresAt = new Date(Math.min(Date.now() + SESSION_TTL_MS, actor.expiresAt?.getTime() ?? Infinity));
  await rt.pool.query('insert into operator_session (id, hash, access_token_id, expires_at) values ($1, $2, $3, $4)', [
    newId(),
    hashToken(secret),
    actor.tokenId,
    expiresAt,
  ]);
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
  const { rows } = await rt.pool.query<{ id: string }>('delete from operator_session where hash = $1 returning id', [
    hashToken(secret),
  ]);
  for (const { id } of rows) rt.changes.publish({ kind: 'session', sessionId: id });
}
