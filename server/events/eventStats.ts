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
  .refine((query) => query.to.getTime() - query.from.getTime() <= MAX_STATS_WINDOW_MS, {
    message: 'the window may be at most 7 days',
    path: ['from'],
  });

export type StatsQuery = z.input<typeof statsQuerySchema>;

export interface AttemptsInMinute {
  /** The start of the minute. */
  minute: Date;
  attempts: number;
  succeeded: number;
  failed: number;
}

/** Delivery latency percentiles in milliseconds; null when nothing was delivered. */
export interface Latency {
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface MinuteActivity extends Latency {
  /** The start of the minute. */
  minute: Date;
  /** Events accepted in it. */
  received: number;
}

/** How one endpoint fared in the window. */
export interface EndpointHealth {
  endpointId: string;
  attempts: number;
  succeeded: number;
  failed: number;
  /** Deliveries of the window's events that ended `failed`. */
  failedDeliveries: number;
  lastAttemptAt: Date | null;
  /** The error (or status) of its latest failed attempt in the window. */
  lastError: string | null;
}

export interface Stats {
  from: Date;
  to: Date;
  events: { status: EventStatus; count: number }[];
  deliveries: { status: DeliveryStatus; count: number }[];
  attemptsPerMinute: AttemptsInMinute[];
  /** Events received and delivery latency, minute by minute (empty minutes: 0 and null). */
  minutes: MinuteActivity[];
  latency: Latency;
  /** Endpoints with attempts or failed deliveries in the window, failing ones first. */
  endpoints: EndpointHealth[];
}

export async function eventStats(rt: Pick<Runtime, 'reads'>, actor: Actor | null, input: StatsQuery): Promise<Stats> {
  authorize(actor, 'viewer');
  const query = parseInput(statsQuerySchema, input);
  const [events, deliveries, attemptsPerMinute, minutes, latency, endpoints] = await Promise.all([
    countEvents(rt.reads.pool, query),
    countDeliveries(rt.reads.pool, query),
    attemptsByMinute(rt.reads.pool, query),
    activityByMinute(rt.reads.pool, query),
    deliveryLatency(rt.reads.pool, query),
    endpointHealth(rt.reads.pool, query),
  ]);
  return {
    from: query.from,
    to: query.to,
    events: eventStatuses.map((status) => ({ status, count: events.get(status) ?? 0 })),
    deliveries: deliveryStatuses.map((status) => ({ status, count: deliveries.get(status) ?? 0 })),
    attemptsPerMinute,
    minutes,
    latency,
    endpoints,
  };
}

type Window = z.output<typeof statsQuerySchema>;

async function countEvents(db: Queryable, window: Window): Promise<Map<string, number>> {
  const { rows } = await db.query<{ status: string; count: number }>(
    `select e.status, count(*)::int as count from event e
      where e.id >= $1::uuid and e.id < $2::uuid
        and (case when $3::uuid is null then e.mailbox_id is distinct from (select id from mailbox where system) else e.mailbox_id = $3 end)
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
        and (case when $3::uuid is null then p.mailbox_id is distinct from (select id from mailbox where system) else p.mailbox_id = $3 end)
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
          and (case when $3::uuid is null then p.mailbox_id is distinct from (select id from mailbox where system) else p.mailbox_id = $3 end)
          and ($4::uuid is null or d.endpoint_id = $4)
        group by 1
     )
     select m.minute, coalesce(c.attempts, 0) as attempts, coalesce(c.succeeded, 0) as succeeded
       from generate_series(date_trunc('minute', $1::timestamptz), $2::timestamptz - interval '1 millisecond', interval '1 minute') as m(minute)
       left join counts c on c.minute = m.minute
      order by m.minute`,
    [window.from, window.to, window.mailboxId ?? null, window.endpointId ?? null],
  );
  return rows.map((row) => ({
    minute: row.minute,
    attempts: row.attempts,
    succeeded: row.succeeded,
    failed: row.attempts - row.succeeded,
  }));
}

/**
 * Delivery latency: from the event's acceptance to the end of the attempt that delivered
 * it, for deliveries delivered by their retry policy (a manual retry days later would
 * say nothing about how Hookpost keeps up). It includes queueing and retry delays, which
 * is what a receiver waits.
 */
const DELIVERED_IN_WINDOW = `
  select date_trunc('minute', a.started_at) as minute,
         extract(epoch from (a.started_at - e.received_at)) * 1000 + a.duration_ms as latency_ms
    from attempt a
    join delivery d on d.id = a.delivery_id
    join event e on e.id = d.event_id
    join endpoint p on p.id = d.endpoint_id
   where a.started_at >= $1 and a.started_at < $2
     and a.trigger = 'scheduled' and a.error_kind is null and a.status_code between 200 and 299
     and (case when $3::uuid is null then p.mailbox_id is distinct from (select id from mailbox where system) else p.mailbox_id = $3 end)
     and ($4::uuid is null or d.endpoint_id = $4)`;

async function activityByMinute(db: Queryable, window: Window): Promise<MinuteActivity[]> {
  const { rows } = await db.query<{ minute: Date; received: number; p50: number | null; p95: number | null }>(
    `with received as (
       select date_trunc('minute', e.received_at) as minute, count(*)::int as received
         from event e
        where e.id >= $5::uuid and e.id < $6::uuid
          and (case when $3::uuid is null then e.mailbox_id is distinct from (select id from mailbox where system) else e.mailbox_id = $3 end)
          and ($4::uuid is null or exists (select 1 from delivery d where d.event_id = e.id and d.endpoint_id = $4))
        group by 1
     ), latency as (
       select minute, percentile_cont(0.5) within group (order by latency_ms) as p50,
              percentile_cont(0.95) within group (order by latency_ms) as p95
         from (${DELIVERED_IN_WINDOW}) delivered
        group by minute
     )
     select m.minute, coalesce(r.received, 0) as received, l.p50, l.p95
       from generate_series(date_trunc('minute', $1::timestamptz), $2::timestamptz - interval '1 millisecond', interval '1 minute') as m(minute)
       left join received r on r.minute = m.minute
       left join latency l on l.minute = m.minute
      order by m.minute`,
    [
      window.from,
      window.to,
      window.mailboxId ?? null,
      window.endpointId ?? null,
      firstIdAt(window.from),
      firstIdAt(window.to),
    ],
  );
  return rows.map((row) => ({
    minute: row.minute,
    received: row.received,
    p50Ms: roundOrNull(row.p50),
    p95Ms: roundOrNull(row.p95),
  }));
}

async function deliveryLatency(db: Queryable, window: Window): Promise<Latency> {
  const { rows } = await db.query<{ p50: number | null; p95: number | null }>(
    `select percentile_cont(0.5) within group (order by latency_ms) as p50,
            percentile_cont(0.95) within group (order by latency_ms) as p95
       from (${DELIVERED_IN_WINDOW}) delivered`,
    [window.from, window.to, window.mailboxId ?? null, window.endpointId ?? null],
  );
  return { p50Ms: roundOrNull(rows[0]?.p50 ?? null), p95Ms: roundOrNull(rows[0]?.p95 ?? null) };
}

async function endpointHealth(db: Queryable, window: Window): Promise<EndpointHealth[]> {
  const { rows } = await db.query<{
    endpoint_id: string;
    attempts: number;
    succeeded: number;
    failed_deliveries: number;
    last_attempt_at: Date | null;
    last_error: string | null;
  }>(
    `with attempts as (
       select d.endpoint_id, count(*)::int as attempts,
              (count(*) filter (where a.error_kind is null and a.status_code between 200 and 299))::int as succeeded,
              max(a.started_at) as last_attempt_at
         from attempt a join delivery d on d.id = a.delivery_id
        where a.started_at >= $1 and a.started_at < $2
        group by d.endpoint_id
     ), failed as (
       select d.endpoint_id, count(*)::int as failed_deliveries
         from delivery d
        where d.event_id >= $5::uuid and d.event_id < $6::uuid and d.status = 'failed'
        group by d.endpoint_id
     )
     select p.id as endpoint_id, coalesce(a.attempts, 0) as attempts, coalesce(a.succeeded, 0) as succeeded,
            coalesce(f.failed_deliveries, 0) as failed_deliveries, a.last_attempt_at,
            (select coalesce(la.error_message, 'HTTP ' || la.status_code)
               from attempt la join delivery ld on ld.id = la.delivery_id
              where ld.endpoint_id = p.id and la.started_at >= $1 and la.started_at < $2
                and not (la.error_kind is null and la.status_code between 200 and 299)
              order by la.started_at desc limit 1) as last_error
       from endpoint p
       left join attempts a on a.endpoint_id = p.id
       left join failed f on f.endpoint_id = p.id
      where (a.endpoint_id is not null or f.endpoint_id is not null)
        and (case when $3::uuid is null then p.mailbox_id is distinct from (select id from mailbox where system) else p.mailbox_id = $3 end)
        and ($4::uuid is null or p.id = $4)
      order by coalesce(f.failed_deliveries, 0) desc, coalesce(a.attempts, 0) - coalesce(a.succeeded, 0) desc, p.id`,
    [
      window.from,
      window.to,
      window.mailboxId ?? null,
      window.endpointId ?? null,
      firstIdAt(window.from),
      firstIdAt(window.to),
    ],
  );
  return rows.map((row) => ({
    endpointId: row.endpoint_id,
    attempts: row.attempts,
    succeeded: row.succeeded,
    failed: row.attempts - row.succeeded,
    failedDeliveries: row.failed_deliveries,
    lastAttemptAt: row.last_attempt_at,
    lastError: row.last_error,
  }));
}

const roundOrNull = (value: number | null) => (value === null ? null : Math.round(Number(value)));
