/**
 * Reading an endpoint's health, for REST, GraphQL and the dashboard's health page: where
 * its circuit stands and why, what it holds back, and how its recent attempts went
 * (success rate and latency per time bucket, failures grouped by kind).
 *
 * Activity is read from the deliveries made in the window (their ids are time-ordered,
 * so the endpoint's index gives exactly that range) and their attempts: a bounded read
 * whatever the endpoint's history.
 */
import { authorize, type Actor } from '../auth/roles.ts';
import type { Queryable } from '../db/queryable.ts';
import type { CircuitState } from '../endpoints/circuit.ts';
import { firstIdAt } from '../events/trackingNumberRange.ts';
import { isUuid } from '../ids.ts';

export interface EndpointHealthView {
  circuitState: CircuitState;
  /** Why the circuit stands where it does (or the last reason it moved). */
  reason: string | null;
  openedAt: Date | null;
  /** When an open circuit lets its next probe through. */
  retryAt: Date | null;
  /** Failing without a success since then (auto-disable counts from here). */
  failingSince: Date | null;
  /** The receiver asked to slow down (429/503 with Retry-After) until then. */
  throttledUntil: Date | null;
  consecutiveFailures: number;
  /** Requests in flight, counted for endpoints with a concurrency limit. */
  inFlight: number;
  /** Deliveries waiting held (circuit open, paused). */
  heldCount: number;
  changedAt: Date | null;
}

const closed: EndpointHealthView = {
  circuitState: 'closed',
  reason: null,
  openedAt: null,
  retryAt: null,
  failingSince: null,
  throttledUntil: null,
  consecutiveFailures: 0,
  inFlight: 0,
  heldCount: 0,
  changedAt: null,
};

export async function readEndpointHealth(db: Queryable, endpointId: string): Promise<EndpointHealthView> {
  const { rows } = await db.query<Omit<EndpointHealthView, 'heldCount'> & { heldCount: string }>(
    `select h.circuit_state as "circuitState", h.reason, h.opened_at as "openedAt", h.retry_at as "retryAt",
            h.failing_since as "failingSince", h.throttled_until as "throttledUntil",
            h.consecutive_failures as "consecutiveFailures", h.in_flight as "inFlight", h.changed_at as "changedAt",
            case when h.held_from is null then 0 else (
              select count(*) from delivery d
               where d.endpoint_id = h.endpoint_id and d.id >= h.held_from and d.status = 'held') end as "heldCount"
       from endpoint_health h where h.endpoint_id = $1`,
    [endpointId],
  );
  const row = rows[0];
  return row ? { ...row, heldCount: Number(row.heldCount) } : closed;
}

export interface ActivityBucket {
  /** The bucket's start. */
  at: Date;
  succeeded: number;
  failed: number;
  /** Median and 95th percentile of the attempts' durations, in ms; null without attempts. */
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface ErrorGroup {
  /** timeout, connection_refused, http_status… */
  kind: string;
  count: number;
  lastAt: Date;
  lastStatusCode: number | null;
  lastMessage: string | null;
}

export interface EndpointActivity {
  since: Date;
  bucketSeconds: number;
  buckets: ActivityBucket[];
  errors: ErrorGroup[];
}

/** The longest window that can be read, and the most buckets it is cut into. */
export const MAX_ACTIVITY_WINDOW_MS = 7 * 24 * 3600_000;
const MAX_BUCKETS = 120;
const MIN_BUCKET_SECONDS = 60;

export async function readEndpointActivity(
  db: Queryable,
  endpointId: string,
  windowMs: number,
  now = new Date(),
): Promise<EndpointActivity> {
  const window = Math.min(Math.max(windowMs, 60_000), MAX_ACTIVITY_WINDOW_MS);
  const since = new Date(now.getTime() - window);
  const bucketSeconds = Math.max(MIN_BUCKET_SECONDS, Math.ceil(window / 1000 / MAX_BUCKETS / 60) * 60);
  const attempts = `select a.started_at, a.duration_ms, a.error_kind is null as succeeded, a.error_kind, a.status_code,
           a.error_message
      from delivery d join attempt a on a.delivery_id = d.id
     where d.endpoint_id = $1 and d.id >= $2::uuid and a.started_at >= $3`;
  const [buckets, errors] = await Promise.all([
    db.query<{ at: Date; succeeded: string; failed: string; p50: number | null; p95: number | null }>(
      `select to_timestamp(floor(extract(epoch from started_at) / $4) * $4) as at,
              count(*) filter (where succeeded) as succeeded, count(*) filter (where not succeeded) as failed,
              percentile_cont(0.5) within group (order by duration_ms) as p50,
              percentile_cont(0.95) within group (order by duration_ms) as p95
         from (${attempts}) x
        group by 1 order by 1`,
      [endpointId, firstIdAt(since), since, bucketSeconds],
    ),
    db.query<{
      kind: string;
      count: string;
      last_at: Date;
      last_status_code: number | null;
      last_message: string | null;
    }>(
      `select error_kind as kind, count(*) as count, max(started_at) as last_at,
              (array_agg(status_code order by started_at desc))[1] as last_status_code,
              (array_agg(error_message order by started_at desc))[1] as last_message
         from (${attempts}) x
        where error_kind is not null
        group by error_kind order by count(*) desc limit 20`,
      [endpointId, firstIdAt(since), since],
    ),
  ]);
  return {
    since,
    bucketSeconds,
    buckets: buckets.rows.map((row) => ({
      at: row.at,
      succeeded: Number(row.succeeded),
      failed: Number(row.failed),
      p50Ms: row.p50 === null ? null : Math.round(row.p50),
      p95Ms: row.p95 === null ? null : Math.round(row.p95),
    })),
    errors: errors.rows.map((row) => ({
      kind: row.kind,
      count: Number(row.count),
      lastAt: row.last_at,
      lastStatusCode: row.last_status_code,
      lastMessage: row.last_message,
    })),
  };
}

/** The endpoint's health, for a viewer; null when there is no such endpoint. */
export async function getEndpointHealth(
  rt: { reads: { pool: Queryable } },
  actor: Actor | null,
  endpointId: string,
): Promise<EndpointHealthView | null> {
  authorize(actor, 'viewer');
  if (!isUuid(endpointId)) return null;
  const { rowCount } = await rt.reads.pool.query('select 1 from endpoint where id = $1', [endpointId]);
  return rowCount ? readEndpointHealth(rt.reads.pool, endpointId) : null;
}
