/**
 * Idempotency keys in the database (rules in ../idempotency.ts). A key is claimed with
 * INSERT … ON CONFLICT in the statement that stores its event (insertEvents.ts): a concurrent claim
 * of the same key, in this process or another, waits on the row until that transaction
 * ends, then finds it taken, so exactly one event is stored. A key older than the window
 * no longer counts: a claim takes its row over, and expiry deletes such rows in batches.
 */
import type { Queryable } from '../../db/queryable.ts';
import type { IdempotencyClaim, OriginalRequest } from '../idempotency.ts';

export interface ClaimingEvent {
  id: string;
  mailboxId: string;
  idempotency: IdempotencyClaim;
  /** Whether the event has deliveries (what its 202 said: queued or unrouted). */
  routed: boolean;
}

/**
 * The INSERT that claims the keys (already unique per mailbox and sorted, see firstClaims)
 * for their events, for insertEvents.ts to run in its statement; `param` adds a value and
 * returns its placeholder. Rows are locked in the order given (`with ordinality`), so two
 * batches never wait on each other in a cycle. A row older than the window is taken over.
 */
export function claimIdempotencyKeysSql(
  events: ClaimingEvent[],
  windowHours: number,
  param: (value: unknown, type: string) => string,
): string {
  return `insert into idempotency_key (mailbox_id, key, body_hash, event_id, routed)
           select k.mailbox_id, k.key, k.body_hash, k.event_id, k.routed
             from unnest(${param(
               events.map((e) => e.mailboxId),
               'uuid[]',
             )}, ${param(
               events.map((e) => e.idempotency.key),
               'text[]',
             )}, ${param(
               events.map((e) => e.idempotency.bodyHash),
               'bytea[]',
             )}, ${param(
               events.map((e) => e.id),
               'uuid[]',
             )}, ${param(
               events.map((e) => e.routed),
               'bool[]',
             )}) with ordinality as k(mailbox_id, key, body_hash, event_id, routed, n)
            order by k.n
           on conflict (mailbox_id, key) do update
              set body_hash = excluded.body_hash, event_id = excluded.event_id, routed = excluded.routed,
                  created_at = now()
            where idempotency_key.created_at < now() - make_interval(hours => ${param(windowHours, 'int')})`;
}

/** The first requests of these keys (mailbox id and key each), by `claimKey`. */
export async function findIdempotencyKeys(
  db: Queryable,
  keys: { mailboxId: string; key: string }[],
): Promise<Map<string, OriginalRequest>> {
  const { rows } = await db.query<{ at: string; body_hash: Buffer; event_id: string; routed: boolean }>({
    name: 'find_idempotency_keys',
    text: `select i.mailbox_id || chr(10) || i.key as at, i.body_hash, i.event_id, i.routed
             from idempotency_key i
             join unnest($1::uuid[], $2::text[]) as k(mailbox_id, key) on k.mailbox_id = i.mailbox_id and k.key = i.key`,
    values: [keys.map((k) => k.mailboxId), keys.map((k) => k.key)],
  });
  return new Map(rows.map((row) => [row.at, { bodyHash: row.body_hash, eventId: row.event_id, routed: row.routed }]));
}

/** Deletes up to `limit` keys claimed before `before` (the start of the window); returns how many. */
export async function deleteExpiredIdempotencyKeys(db: Queryable, before: Date, limit: number): Promise<number> {
  const { rowCount } = await db.query({
    name: 'delete_expired_idempotency_keys',
    text: `delete from idempotency_key where ctid = any(array(
             select ctid from idempotency_key where created_at < $1 order by created_at limit $2))`,
    values: [before, limit],
  });
  return rowCount ?? 0;
}

/** Forgets the key of an erased event: its body hash could confirm a guessed payload. */
export async function forgetIdempotencyKeyOf(db: Queryable, mailboxId: string, eventId: string): Promise<void> {
  await db.query(`delete from idempotency_key where mailbox_id = $1 and event_id = $2`, [mailboxId, eventId]);
}
