/**
 * Idempotency keys in the database (rules in ../idempotency.ts). A key is the
 * `idempotency_key` column of the event that first sent it, unique per mailbox (a partial
 * index), and is claimed by that event's own INSERT (insertEvents.ts; eventWriter.ts says
 * when it is the plain insert and when ON CONFLICT DO NOTHING): a concurrent claim of the
 * same key, in this process or another, waits until that transaction ends, then finds it
 * taken, so exactly one event is stored.
 */
import type { Queryable } from '../../db/queryable.ts';
import { claimKey, type OriginalEvent } from '../idempotency.ts';

/** An original event, and whether its key's window is over (then a new claim takes the key). */
export type ClaimedKey = OriginalEvent & { expired: boolean };

/** The events that claimed these keys (mailbox id and key each), by `claimKey`. */
export async function findClaimedKeys(
  db: Queryable,
  keys: { mailboxId: string; key: string }[],
  windowHours: number,
): Promise<Map<string, ClaimedKey>> {
  const { rows } = await db.query<{
    mailbox_id: string;
    key: string;
    id: string;
    routed: boolean;
    body_hash: Buffer;
    event_type: string | null;
    content_type: string;
    ordering_key: string | null;
    expired: boolean;
  }>({
    name: 'find_claimed_keys',
    text: `select e.mailbox_id, e.idempotency_key as key, e.id, e.delivery_count > 0 as routed, sha256(e.body) as body_hash,
                  e.event_type, e.content_type, e.ordering_key,
                  e.received_at < now() - make_interval(hours => $3) as expired
             from event e
             join unnest($1::uuid[], $2::text[]) as k(mailbox_id, key) on k.mailbox_id = e.mailbox_id and k.key = e.idempotency_key
            where e.idempotency_key is not null`,
    values: [keys.map((k) => k.mailboxId), keys.map((k) => k.key), windowHours],
  });
  return new Map(
    rows.map((row) => [
      claimKey(row.mailbox_id, row.key),
      {
        eventId: row.id,
        routed: row.routed,
        identity: {
          bodyHash: row.body_hash,
          eventType: row.event_type,
          contentType: row.content_type,
          orderingKey: row.ordering_key,
        },
        expired: row.expired,
      },
    ]),
  );
}

/**
 * Takes a key whose window is over off its event, so it can be claimed again; a key
 * still in its window (another request took it over meanwhile) is left alone.
 */
export async function releaseExpiredKey(db: Queryable, eventId: string, windowHours: number): Promise<void> {
  await db.query(
    `update event set idempotency_key = null
      where id = $1 and idempotency_key is not null and received_at < now() - make_interval(hours => $2)`,
    [eventId, windowHours],
  );
}
