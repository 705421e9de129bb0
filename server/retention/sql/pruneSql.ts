/**
 * The statements of a prune pass (../prunePass.ts), each one small batch. Old rows are
 * found through indexes that already exist: events by (mailbox_id, id), attempts by their
 * primary key, audit entries by `at`. Ids are UUIDv7, so "older than" is an id range.
 */
import type { Queryable } from '../../db/queryable.ts';

/** Mailboxes whose events are not kept forever, with their retention in days. */
export async function mailboxRetentions(
  db: Queryable,
  defaultDays: number,
): Promise<{ mailboxId: string; days: number }[]> {
  const { rows } = await db.query<{ id: string; days: number }>(
    `select id, coalesce(retention_days, $1::int) as days from mailbox where coalesce(retention_days, $1::int) > 0`,
    [defaultDays],
  );
  return rows.map((row) => ({ mailboxId: row.id, days: row.days }));
}

/**
 * Up to `limit` settled events of the mailbox older than `beforeId`, after `afterId`,
 * oldest first (read without locks: deliveries/deleteSettled.ts checks them again).
 */
export async function oldSettledEvents(
  db: Queryable,
  mailboxId: string,
  afterId: string,
  beforeId: string,
  limit: number,
): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>({
    name: 'prune_old_settled_events',
    text: `select id from event
            where mailbox_id = $1 and id > $2::uuid and id < $3::uuid and pending_count = 0
            order by id limit $4`,
    values: [mailboxId, afterId, beforeId, limit],
  });
  return rows.map((row) => row.id);
}

/**
 * Empties the captured response bodies of up to `limit` attempts after `afterId` and
 * before `beforeId`; returns how many it emptied and the last attempt it looked at (where
 * the next batch starts), or null when there was none.
 */
export async function clearResponseBodies(
  db: Queryable,
  afterId: string,
  beforeId: string,
  limit: number,
): Promise<{ cleared: number; lastId: string | null }> {
  const { rows } = await db.query<{ cleared: number; last_id: string | null }>({
    name: 'prune_response_bodies',
    text: `with batch as (
             select id from attempt where id > $1::uuid and id < $2::uuid order by id limit $3
           ), cleared as (
             update attempt a set response_body = null
               from batch b where a.id = b.id and a.response_body is not null
             returning a.id
           )
           select (select count(*) from cleared)::int as cleared,
                  (select id from batch order by id desc limit 1) as last_id`,
    values: [afterId, beforeId, limit],
  });
  return { cleared: rows[0]!.cleared, lastId: rows[0]!.last_id };
}

/** Deletes up to `limit` audit entries older than `before`; returns how many. */
export async function deleteOldAuditEntries(db: Queryable, before: Date, limit: number): Promise<number> {
  const { rowCount } = await db.query({
    name: 'prune_audit_entries',
    text: `delete from audit_entry where id = any(array(select id from audit_entry where at < $1 order by at limit $2))`,
    values: [before, limit],
  });
  return rowCount ?? 0;
}

/**
 * Deletes up to `limit` ended bulk erasures that ended before `before`: their filter names
 * a data subject, so the record of the request goes with the audit log's.
 */
export async function deleteOldErasures(db: Queryable, before: Date, limit: number): Promise<number> {
  const { rowCount } = await db.query({
    name: 'prune_erasures',
    text: `delete from erasure where id = any(array(select id from erasure where status <> 'running' and finished_at < $1
                                                     order by finished_at limit $2))`,
    values: [before, limit],
  });
  return rowCount ?? 0;
}

const BODIES_MARK = 'retention.response_bodies_cleared_after';

/** Where emptying response bodies got to (an attempt id), so a pass never reads the same attempts twice. */
export async function responseBodiesMark(db: Queryable): Promise<string | null> {
  const { rows } = await db.query<{ value: string }>(`select value from setting where name = $1`, [BODIES_MARK]);
  return rows[0]?.value ?? null;
}

export async function setResponseBodiesMark(db: Queryable, attemptId: string): Promise<void> {
  await db.query(
    `insert into setting (name, value) values ($1, to_jsonb($2::text))
       on conflict (name) do update set value = excluded.value, updated_at = now()`,
    [BODIES_MARK, attemptId],
  );
}
