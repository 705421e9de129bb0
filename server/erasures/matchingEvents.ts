/**
 * The events of a mailbox a bulk erasure takes, by the events history's own conditions
 * (events/eventSearch.ts), not yet erased: how many (the preview and the count when it
 * starts) and the next batch in tracking-number order (the work).
 */
import type { Queryable } from '../db/queryable.ts';
import { eventConditions } from '../events/eventSearch.ts';
import { asEventFilter, type ErasureFilter } from './erasureFilter.ts';

function matching(mailboxId: string, filter: ErasureFilter, values: unknown[]): string[] {
  const param = (value: unknown) => `$${values.push(value)}`;
  const where = eventConditions(asEventFilter(mailboxId, filter), param);
  if (filter.status?.length) where.push(`e.status = any(${param(filter.status)}::event_status[])`);
  where.push('e.erased_at is null');
  return where;
}

export async function countMatchingEvents(db: Queryable, mailboxId: string, filter: ErasureFilter): Promise<number> {
  const values: unknown[] = [];
  const where = matching(mailboxId, filter, values);
  const { rows } = await db.query<{ count: string }>(
    `select count(*) from event e where ${where.join(' and ')}`,
    values,
  );
  return Number(rows[0]!.count);
}

/** Tracking numbers after `cursor` (oldest first), at most `limit`. */
export async function nextMatchingEvents(
  db: Queryable,
  mailboxId: string,
  filter: ErasureFilter,
  cursor: string | null,
  limit: number,
): Promise<string[]> {
  const values: unknown[] = [];
  const where = matching(mailboxId, filter, values);
  if (cursor) where.push(`e.id > $${values.push(cursor)}::uuid`);
  const { rows } = await db.query<{ id: string }>(
    `select e.id from event e where ${where.join(' and ')} order by e.id limit $${values.push(limit)}`,
    values,
  );
  return rows.map((row) => row.id);
}
