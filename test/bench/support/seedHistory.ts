/**
 * History for the events-list query: past events spread over the last 30 days across
 * ten mailboxes, each with one delivery that ended (95 % delivered, 5 % failed after 3
 * attempts, in every mailbox), written in bulk by SQL. Ids are time-ordered UUIDs (v7) made from each
 * event's own time, as Hookpost's are, so "newest first" pages behave as in production.
 * Attempt rows are left out: the list does not read them. Ended deliveries have no jobs.
 * Finally VACUUM ANALYZE, as autovacuum would have done on a database that grew slowly.
 */
import type pg from 'pg';

const CHUNK = 50_000;

export async function seedHistory(
  pool: pg.Pool,
  options: { events: number; mailboxIds: string[]; endpointIds: string[]; body: Buffer; log: (m: string) => void },
): Promise<void> {
  const client = await pool.connect();
  try {
    // A v7 UUID for a given time: 48 bits of ms, version 7, random rest with the RFC variant.
    await client.query(`
      create or replace function pg_temp.uuid7_at(ts timestamptz) returns uuid language sql volatile as $$
        select (lpad(to_hex(floor(extract(epoch from ts) * 1000)::bigint), 12, '0') || '7' || substr(md5(random()::text), 1, 3)
                || substr('89ab', 1 + floor(random() * 4)::int, 1) || substr(md5(random()::text), 1, 15))::uuid
      $$`);
    for (let from = 1; from <= options.events; from += CHUNK) {
      const to = Math.min(options.events, from + CHUNK - 1);
      await client.query('begin');
      // Seeding is not what is measured; do not wait for each chunk's WAL flush.
      await client.query('set local synchronous_commit = off');
      await client.query(
        `with history as (
           select g, $5::timestamptz - make_interval(secs => 30 * 86400 * (1 - g::float8 / $2)) as at, ((g / 10) % 20 = 0) as failed,
                  ($3::uuid[])[1 + g % cardinality($3::uuid[])] as mailbox_id, ($4::uuid[])[1 + g % cardinality($4::uuid[])] as endpoint_id
             from generate_series($1::int, $6::int) g
         ), ids as (
           select h.*, pg_temp.uuid7_at(h.at) as event_id, pg_temp.uuid7_at(h.at) as delivery_id from history h
         ), events as (
           insert into event (id, mailbox_id, event_type, content_type, body, received_at, delivery_count, pending_count, failed_count, attempt_count, last_attempt_at)
           select event_id, mailbox_id, 'order.created', 'application/json', $7, at, 1, 0, failed::int, case when failed then 3 else 1 end,
                  at + case when failed then interval '6 s' else interval '15 ms' end
             from ids
         )
         insert into delivery (id, event_id, endpoint_id, status, attempt_count, last_attempt_at, last_status_code, created_at, updated_at)
         select delivery_id, event_id, endpoint_id, (case when failed then 'failed' else 'delivered' end)::delivery_status,
                case when failed then 3 else 1 end, at + case when failed then interval '6 s' else interval '15 ms' end,
                case when failed then 500 else 200 end, at, at
           from ids`,
        [
          from,
          options.events,
          options.mailboxIds,
          options.endpointIds,
          new Date(Date.now() - 3_600_000),
          to,
          options.body,
        ],
      );
      await client.query('commit');
      options.log(`events-list: seeded ${to} of ${options.events} events`);
    }
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  options.log('events-list: vacuum analyze');
  await pool.query('vacuum analyze event, delivery');
}
