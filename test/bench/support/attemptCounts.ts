/**
 * What an outage cost in requests, read from the attempt rows (every HTTP request
 * Hookpost sends is one): the attempts made for a mailbox's deliveries, optionally only
 * those started within a window, the most any one delivery needed, and how many
 * deliveries gave up (ended `failed`).
 */
import type pg from 'pg';
import type { Window } from './ingestToDelivered.ts';

export interface AttemptCounts {
  attempts: number;
  /** Attempts the most tried delivery made (over its whole life, not just the window). */
  mostForOneDelivery: number;
  failedDeliveries: number;
}

export async function attemptCounts(pool: pg.Pool, mailboxId: string, window?: Window): Promise<AttemptCounts> {
  const {
    rows: [counts],
  } = await pool.query<AttemptCounts>(
    `select count(a.*) filter (where $2::float8 is null or a.started_at >= to_timestamp($2 / 1000.0) and a.started_at < to_timestamp($3 / 1000.0))::int as attempts,
            coalesce(max(a.number), 0)::int as "mostForOneDelivery",
            (select count(*)::int from delivery d2 join event e2 on e2.id = d2.event_id
              where e2.mailbox_id = $1 and d2.status = 'failed') as "failedDeliveries"
       from attempt a join delivery d on d.id = a.delivery_id join event e on e.id = d.event_id where e.mailbox_id = $1`,
    [mailboxId, window?.from ?? null, window?.to ?? null],
  );
  return counts!;
}
