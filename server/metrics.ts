/**
 * Prometheus metrics, served at /metrics. One registry per Hookpost instance (tests run
 * several in one process).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  eventsAccepted: Counter<'mailbox_routed'>;
  eventsRejected: Counter<'code'>;
  attempts: Counter<'outcome'>;
  attemptDuration: Histogram;
  ingestDuration: Histogram<'status'>;
  /** 1 while this process's delivery runner runs, 0 while it is being replaced (or none runs). */
  workerUp: Gauge;
  workerRunnerRestarts: Counter;
  /** Attempt records that had to wait for the database to come back. */
  attemptsRecordedLate: Counter;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  // Node's own metrics under their usual names, so stock Node.js dashboards work. The three
  // `*_total` gauges are dropped: a `_total` suffix means a counter to Prometheus (promtool
  // flags them), and `sum(nodejs_active_handles)` etc. give the same totals.
  collectDefaultMetrics({ register: registry });
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'])
    registry.removeSingleMetric(name);
  return {
    registry,
    eventsAccepted: new Counter({
      name: 'hookpost_events_accepted_total',
      help: 'Events accepted (202), by whether any endpoint matched.',
      labelNames: ['mailbox_routed'],
      registers: [registry],
    }),
    eventsRejected: new Counter({
      name: 'hookpost_events_rejected_total',
      help: 'Event submissions refused, by error code.',
      labelNames: ['code'],
      registers: [registry],
    }),
    attempts: new Counter({
      name: 'hookpost_delivery_attempts_total',
      help: 'HTTP attempts made, by outcome (succeeded or the error kind).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    attemptDuration: new Histogram({
      name: 'hookpost_delivery_attempt_duration_seconds',
      help: 'How long attempts took, from request to the end of the (capped) response.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30],
      registers: [registry],
    }),
    // Fine buckets up to 100 ms: a producer's 202 waits for a commit, and this is where a
    // slower disk or a busier database shows first.
    ingestDuration: new Histogram({
      name: 'hookpost_ingest_duration_seconds',
      help: 'Event submissions, from the request reaching Hookpost to the end of its answer (a 202 includes the commit), by HTTP status.',
      labelNames: ['status'],
      buckets: [
        0.001, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05, 0.075, 0.1, 0.25, 0.5, 1, 2.5, 5,
      ],
      registers: [registry],
    }),
    workerUp: new Gauge({
      name: 'hookpost_worker_up',
      help: "1 while this process's delivery runner is running, 0 while it is being replaced after a failure.",
      registers: [registry],
    }),
    workerRunnerRestarts: new Counter({
      name: 'hookpost_worker_runner_restarts_total',
      help: 'Delivery runners that ended without being asked to (a database outage…) and were replaced.',
      registers: [registry],
    }),
    attemptsRecordedLate: new Counter({
      name: 'hookpost_attempts_recorded_late_total',
      help: 'Attempt records that waited for the database to be reachable again before they were written.',
      registers: [registry],
    }),
  };
}
