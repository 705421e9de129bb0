/**
 * Statistics over a time window, for one mailbox, one endpoint or everything: events
 * and deliveries by status (those accepted in the window), and attempts, succeeded and
 * failed per minute (those started in the window; empty minutes are zeros, so a chart
 * needs no gap filling). Windows are at most 7 days (10 080 minutes).
 */
import { z } from 'zod';
import { authorize, type Actor } from '../auth/roles.ts';
import type { Queryable } from '../db/queryable.ts';
import { parseInput } from '../errors.ts';
import type { Runtime } from '../runtime.ts';
import { deliveryStatuses, eventStatuses, type DeliveryStatus, type EventStatus } from './statuses.ts';
import { firstIdAt } from './trackingNumberRange.ts';

const HOUR_MS = 3600_000;
export const MAX_STATS_WINDOW_MS = 7 * 24 * HOUR_MS;

export const statsQuerySchema = z
  .object({
    mailboxId: z.uuid('must be a mailbox id (a UUID)').optional(),
    endpointId: z.uuid('must be an endpoint id (a UUID)').optional(),
    /** Start of the window, inclusive. Default: an hour before `to`. */
    from: z.date().optional(),
    /** End of the window, exclusive. Default: now. */
    to: z.date().optional(),
  })
  .transform((query) => {
    const to = query.to ?? new Date();
    return { ...query, to, from: query.from ?? new Date(to.getTime() - HOUR_MS) };
  })
  .refine((query) => query.from < query.to, { message: 'must be after from', path: ['to'] })
  .refine((query) => query.to.getTime() - query.from.getTime() <= MAX_STATS_WINDOW_MS, { message: 'the window may be at most 7 days', path: ['from'] });

export type StatsQuery = z.input<typeof statsQuerySchema>;

export interface AttemptsInMinute {
  /** The start of the minute. */
  minute: Date;
  attempts: number;
  succeeded: number;
  failed: number;
}

export interface Stats {
  from: Date;
  to: Date;
  events: { status: EventStatus; count: number }[];
  deliveries: { status: DeliveryStatus; count: number }[];
  attemptsPerMinute: AttemptsInMinute[];
}

export async function eventStats(rt: Pick<Runtime, 'pool'>, actor: Actor | null, input: StatsQuery): Promise<Stats> {
  authorize(actor, 'viewer');
  const query = parseInput(statsQuerySchema, input);
  const [events, deliveries, attemptsPerMinute] = await Promise.all([
    countEvents(rt.pool, query),
    countDeliveries(rt.pool, query),
    attemptsByMinute(rt.pool, query),
  ]);
  return {
    from: query.from,
    to: query.to,
    events: eventStatuses.map((status) => ({ status, count: events.get(status) ?? 0 })),
    deliveries: deliveryStatuses.map((status) => ({ status, count: deliveries.get(status) ?? 0 })),
    attemptsPerMinute,
  };
}

type Window = z.output<typeof statsQuerySchema>;

async function countEvents(db: Queryable, window: Window): Promise<Map<string, number>> {
  const { rows } = await db.query<{ status: string; count: number }>(
    `select e.status, count(*)::int as count from event e
      where e.id >= $1::uuid and e.id < $2::uuid
        and ($3::uuid is null or e.mailbox_id = $3)
        and ($4::uuid is null or exists (select 1 from delivery d where d.event_id = e.id and d.endpoint_id = $4))
      group by e.status`,
    [firstIdAt(window.from), firstIdAt(window.to), window.mailboxId ?? null, window.endpointId ?? null],
  );
  return new Map(rows.map((row) => [row.status, row.count]));
}

async function countDeliveries(db: Queryable, window: Window): Promise<Map<string, number>> {
  const { rows } = await db.query<{ status: string; count: number }>(
    `select d.status, count(*)::int as count from delivery d
       join endpoint p on p.id = d.endpoint_id
      where d.event_id >= $1::uuid and d.event_id < $2::uuid
        and ($3::uuid is null or p.mailbox_id = $3)
        and ($4::uuid is null or d.endpoint_id = $4)
      group by d.status`,
    [firstIdAt(window.from), firstIdAt(window.to), window.mailboxId ?? null, window.endpointId ?? null],
  );
  return new Map(rows.map((row) => [row.status, row.count]));
}

async function attemptsByMinute(db: Queryable, window: Window): Promise<AttemptsInMinute[]> {
  const { rows } = await db.query<{ minute: Date; attempts: number; succeeded: number }>(
    `with counts as (
       select date_trunc('minute', a.started_at) as minute, count(*)::int as attempts,
              (count(*) filter (where a.error_kind is null and a.status_code between 200 and 299))::int as succeeded
         from attempt a
         join delivery d on d.id = a.delivery_id
         join endpoint p on p.id = d.endpoint_id
        where a.started_at >= $1 and a.started_at < $2
          and ($3::uuid is null or p.mailbox_id = $3)
          and ($4::uuid is null or d.endpoint_id = $4)
        group by 1
     )
     select m.minute, coalesce(c.attempts, 0) as attempts, coalesce(c.succeeded, 0) as succeeded
       from generate_series(date_trunc('minute', $1::timestamptz), $2::timestamptz - interval '1 millisecond', interval '1 minute') as m(minute)
       left join counts c on c.minute = m.minute
      order by m.minute`,
    [window.from, window.to, window.mailboxId ?? null, window.endpointId ?? null],
  );
  return rows.map((row) => ({ minute: row.minute, attempts: row.attempts, succeeded: row.succeeded, failed: row.attempts - row.succeeded }));
}
