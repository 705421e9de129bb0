/**
 * The end of a delivery's life: deleting events whose deliveries have all settled
 * (delivered, failed, cancelled; or none at all: unrouted), with their deliveries, dead
 * letters, attempts and search terms. An event with a delivery still queued, held or delivering is
 * never deleted: it is skipped, and so is one another transaction holds.
 *
 * The event rows are locked first, as a requeue does (requeue.ts), which is the only
 * move a settled delivery can make: the two take the same locks in the same order, so
 * one waits for the other and no deadlock is possible. A requeue that waited finds the
 * event gone; a prune that came second finds it pending again and skips it.
 *
 * Must run inside a transaction: one statement per table, children first (the foreign
 * keys restrict deleting a row that is still referenced).
 */
import type { Queryable } from '../db/queryable.ts';
import { countedAs } from './sql/lifecycleSql.ts';

/** Deletes those of `eventIds` that are settled and not locked elsewhere; returns their ids. */
export async function deleteSettledEvents(tx: Queryable, eventIds: string[]): Promise<string[]> {
  if (eventIds.length === 0) return [];
  const { rows } = await tx.query<{ id: string }>({
    name: 'lock_settled_events',
    text: `select e.id from event e
            where e.id = any($1::uuid[]) and e.pending_count = 0
              and not exists (select 1 from delivery d where d.event_id = e.id and ${countedAs('pending', 'd.status')})
            order by e.id
              for update of e skip locked`,
    values: [eventIds],
  });
  const ids = rows.map((row) => row.id);
  if (ids.length === 0) return [];
  await tx.query({
    name: 'delete_settled_dead_letters',
    text: `delete from dead_letter l using delivery d where l.delivery_id = d.id and d.event_id = any($1::uuid[])`,
    values: [ids],
  });
  await tx.query({
    name: 'delete_settled_attempts',
    text: `delete from attempt a using delivery d where a.delivery_id = d.id and d.event_id = any($1::uuid[])`,
    values: [ids],
  });
  await tx.query({
    name: 'delete_settled_deliveries',
    text: `delete from delivery where event_id = any($1::uuid[])`,
    values: [ids],
  });
  await tx.query({
    name: 'delete_settled_search_terms',
    text: `delete from event_search where event_id = any($1::uuid[])`,
    values: [ids],
  });
  await tx.query({
    name: 'delete_settled_events',
    text: `delete from event where id = any($1::uuid[])`,
    values: [ids],
  });
  return ids;
}
