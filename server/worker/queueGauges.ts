/**
 * Where the delivery backlog stands, for /metrics in worker processes: deliveries waiting,
 * held and in flight, endpoints whose circuit is open, how long the oldest due one has waited, and jobs still locked by workers
 * that died. Read from the database when Prometheus scrapes (at most every few seconds),
 * so every worker reports the same database-wide values: aggregate them with max().
 *
 * The counts go through pending events (their status index), not a scan of deliveries.
 */
import type pg from 'pg';
import { Gauge, type Registry } from 'prom-client';

/** How long one reading is reused, in ms: scrapes from several Prometheus servers share it. */
const FRESH_FOR_MS = 5_000;

interface Reading {
  queued: number;
  held: number;
  delivering: number;
  openCircuits: number;
  oldestDueAgeSeconds: number;
  deadLocked: number;
}

const readingStatement = `
  with pending as (
    select d.status, d.next_attempt_at, d.created_at
      from event e join delivery d on d.event_id = e.id
     where e.status in ('queued', 'delivering') and d.status in ('queued', 'held', 'delivering')
  )
  select (select count(*) from pending where status = 'queued')::int as queued,
         (select count(*) from pending where status = 'held')::int as held,
         (select count(*) from endpoint_health where circuit_state <> 'closed')::int as "openCircuits",
         (select count(*) from pending where status = 'delivering')::int as delivering,
         coalesce((select extract(epoch from now() - min(coalesce(next_attempt_at, created_at)))
                     from pending where status = 'queued' and coalesce(next_attempt_at, created_at) <= now()), 0)::float8
           as "oldestDueAgeSeconds",
         (select count(*) from graphile_worker._private_jobs j
           where j.locked_by is not null
             and not exists (select 1 from worker_heartbeat h where h.worker_id = j.locked_by))::int as "deadLocked"`;

export function registerQueueGauges(registry: Registry, pool: pg.Pool): void {
  let last: Reading = { queued: 0, held: 0, delivering: 0, openCircuits: 0, oldestDueAgeSeconds: 0, deadLocked: 0 };
  let readAt = 0;
  let reading: Promise<Reading> | null = null;
  const read = (): Promise<Reading> => {
    if (Date.now() - readAt < FRESH_FOR_MS) return Promise.resolve(last);
    reading ??= pool
      .query<Reading>(readingStatement)
      .then(({ rows }) => {
        last = rows[0]!;
        readAt = Date.now();
        return last;
      })
      // An unreachable database shows in /readyz and hookpost_worker_up; the last reading stays.
      .catch(() => last)
      .finally(() => (reading = null));
    return reading;
  };

  new Gauge({
    name: 'hookpost_deliveries',
    help: 'Deliveries on their way, by status (queued: waiting for an attempt; held: waiting for their endpoint to take them; delivering: in flight). Database-wide.',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const now = await read();
      this.set({ status: 'queued' }, now.queued);
      this.set({ status: 'held' }, now.held);
      this.set({ status: 'delivering' }, now.delivering);
    },
  });
  new Gauge({
    name: 'hookpost_endpoint_circuit_open',
    help: 'Endpoints whose circuit breaker is open or half-open (holding their deliveries). Database-wide.',
    registers: [registry],
    async collect() {
      this.set((await read()).openCircuits);
    },
  });
  new Gauge({
    name: 'hookpost_delivery_oldest_due_age_seconds',
    help: 'How long the oldest queued delivery whose attempt is due has waited. Database-wide.',
    registers: [registry],
    async collect() {
      this.set((await read()).oldestDueAgeSeconds);
    },
  });
  new Gauge({
    name: 'hookpost_jobs_locked_by_dead_workers',
    help: 'Delivery jobs still locked by a worker that is gone (recovery releases them). Database-wide.',
    registers: [registry],
    async collect() {
      this.set((await read()).deadLocked);
    },
  });
}
