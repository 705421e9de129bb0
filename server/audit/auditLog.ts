/**
 * The audit log: every management action is recorded with who did it (the access token,
 * by id and by its name at the time), when, what it was done to, and a summary of the
 * change. A service records its action in the same transaction as the change itself, so
 * there is never a change without its entry nor an entry without its change:
 *
 *   await recordAudit(tx, actor, { action: 'endpoint.rotate_secret', target: { type: 'endpoint', id } });
 *
 * with `tx` a pool client inside the transaction (or the pool, for an action that is one
 * statement), or, through Prisma, `tx.auditEntry.create({ data: auditEntryData(actor, …) })`.
 *
 * Summaries never hold secrets: values under secret-sounding keys are replaced by
 * `[redacted]`, custom headers are reduced to their names, and anything that looks like
 * one of Hookpost's own secrets is redacted wherever it is.
 */
import type { Actor } from '../auth/roles.ts';
import type { Queryable } from '../db/queryable.ts';
import { isUuid, newId } from '../ids.ts';

/** What can be recorded, as `<target type>.<verb>`. */
export const auditActions = [
  'access_token.create',
  'access_token.revoke',
  'mailbox.create',
  'mailbox.update',
  'mailbox.delete',
  'api_key.create',
  'api_key.revoke',
  'endpoint.create',
  'endpoint.update',
  'endpoint.enable',
  'endpoint.disable',
  'endpoint.pause',
  'endpoint.resume',
  'endpoint.delete',
  'endpoint.reveal_secret',
  'endpoint.rotate_secret',
  'endpoint.send_test_event',
  'event.retry',
  'event.resend',
  'event.erase',
  'delivery.retry',
  'delivery.cancel',
  'replay.start',
  'replay.cancel',
  'erasure.start',
  'erasure.cancel',
  'session.sign_in',
  'session.sign_in_refused',
  'session.sign_out',
] as const;
export type AuditAction = (typeof auditActions)[number];

export interface AuditInput {
  action: AuditAction;
  /** What the action was done to; `id` null when there is none (a refused sign-in). */
  target: { type: string; id: string | null };
  /** What changed: field names and their new values, never secret values (see redaction). */
  summary?: Record<string, unknown>;
}

const REDACTED = '[redacted]';
/** Keys whose values are secrets whatever they hold. */
const SECRET_KEY = /secret|token|password|passphrase|api_?key|authorization|cookie|credential|signature/i;
/** Hookpost's own secrets and bearer credentials, wherever they appear in a value. */
const SECRET_VALUE = /\b(hpt|hpk|hps)_[A-Za-z0-9_-]{8,}|\bwhsec_[A-Za-z0-9+/=]{8,}|\bBearer\s+\S+/g;

/** A summary as it may be stored: secrets out, custom headers as names only. */
export function redactSummary(value: unknown, key = ''): unknown {
  if (key && SECRET_KEY.test(key)) return REDACTED;
  if (/^(custom_?)?headers$/i.test(key) && value && typeof value === 'object') {
    const names = Array.isArray(value)
      ? value.map((header: { name?: unknown }) => String(header?.name ?? ''))
      : Object.keys(value);
    return { names };
  }
  if (typeof value === 'string') return value.replace(SECRET_VALUE, REDACTED);
  if (Array.isArray(value)) return value.map((item) => redactSummary(item));
  if (value && typeof value === 'object' && !(value instanceof Date))
    return Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, redactSummary(inner, name)]));
  return value;
}

/** The row for an action (for `prisma.auditEntry.create({ data })` inside a transaction). */
export function auditEntryData(actor: Actor | null, input: AuditInput) {
  return {
    id: newId(),
    // An actor that is no stored token (Hookpost itself, a tool's stand-in) is named, not linked.
    actorTokenId: actor && isUuid(actor.tokenId) ? actor.tokenId : null,
    actorName: actor?.name ?? 'anonymous',
    action: input.action,
    targetType: input.target.type,
    targetId: input.target.id,
    summary: redactSummary(input.summary ?? {}) as object,
  };
}

/** Records an action through `db`: pass the transaction's client so both commit together. */
export async function recordAudit(db: Queryable, actor: Actor | null, input: AuditInput): Promise<void> {
  const row = auditEntryData(actor, input);
  await db.query(
    `insert into audit_entry (id, actor_token_id, actor_name, action, target_type, target_id, summary)
     values ($1, $2, $3, $4, $5, $6, $7)`,
    [row.id, row.actorTokenId, row.actorName, row.action, row.targetType, row.targetId, JSON.stringify(row.summary)],
  );
}
