/**
 * The bench's command line. Full mode measures (minutes); `--short` runs every scenario
 * for a few seconds to prove the harness and Hookpost's correctness under load in CI,
 * where speed is not judged. Every figure a scenario uses comes from here, so the
 * output can state exactly what was run.
 */
import { parseArgs } from 'node:util';

export const scenarioNames = [
  'insert-ceiling',
  'queue-ceiling',
  'network-ceiling',
  'ingest',
  'delivery',
  'e2e',
  'retry-storm',
  'outage',
  'noisy-neighbour',
  'replay',
  'events-list',
] as const;
export type ScenarioName = (typeof scenarioNames)[number];

export interface BenchOptions {
  mode: 'full' | 'short';
  scenarios: ScenarioName[];
  /** Seconds of each measured load run (ingest levels, ceilings). */
  durationS: number;
  /** HTTP connections (and database clients for the insert ceiling) of the ingest levels. */
  connections: number[];
  /** Size of each event body in bytes. */
  payloadBytes: number;
  /** Endpoints per mailbox in the fan-out delivery run. */
  fanout: number;
  /** Events pre-loaded for the delivery run at fan-out 1; the fan-out run gets backlog / fanout events, so both deliver as many deliveries. */
  backlog: number;
  /** How the delivery backlog is pre-loaded: through the real ingest API, or the ingest statement called directly. */
  preload: 'api' | 'sql';
  /** The steady rate (events/s) at which producer latency is measured against the p99 target. */
  ingestRate: number;
  /** Adjacent (insert ceiling, ingest) pairs at 64 connections, for the ratio target (0: none). */
  ratioPairs: number;
  /** The steady rate (events/s) of the end-to-end latency run, and its length in s. */
  e2eRate: number;
  e2eDurationS: number;
  /** How long the receiver fails during the retry storm (s), and the events/s sent meanwhile. */
  stormS: number;
  stormRate: number;
  /** How long the outage scenario's failing endpoints are down (s), and the events/s each of its mailboxes is sent. */
  outageS: number;
  outageRate: number;
  /** Seconds of each phase of the noisy-neighbour scenario, and the events/s its healthy mailbox (and the tarpit's) is sent. */
  noisyS: number;
  noisyRate: number;
  /** Failed deliveries the replay scenario replays. */
  replayDeliveries: number;
  /** Events in the database for the events-list query. */
  listEvents: number;
  /** No-op jobs for the queue ceiling. */
  queueJobs: number;
  /** `split`: separate api and worker processes; `all`: one all-in-one process where both run together. */
  topology: 'split' | 'all';
  /** Passed to Hookpost as HOOKPOST_WORKER_CONCURRENCY / HOOKPOST_DB_POOL_SIZE; undefined keeps the product's defaults. */
  workerConcurrency: number | undefined;
  dbPoolSize: number | undefined;
  /** Where the insert ceiling comes from: pgbench when on PATH, else a small pg driver. */
  insertDriver: 'pgbench' | 'pg';
  eventsApi: 'auto' | 'rest' | 'graphql';
  logLevel: string;
  /** NODE_OPTIONS for the Hookpost processes (e.g. --max-old-space-size=128), to try runtime settings. */
  nodeOptions: string | undefined;
  /** Record CPU profiles (node --cpu-prof) of every Hookpost process. */
  profile: boolean;
  /** Enable pg_stat_statements and report each scenario's top statements. */
  pgStats: boolean;
  /** WAL the embedded PostgreSQL gets ready to reuse before the run (bytes; 0 = a new cluster's). */
  recycledWalBytes: number;
  databaseUrl: string | undefined;
  outDir: string;
  /** Keep the temporary data folders (and an external bench database) for inspection. */
  keep: boolean;
}

/** The product's default worker concurrency (server/config.ts); the queue ceiling runs at the same. */
export const PRODUCT_WORKER_CONCURRENCY = 32;

const usage = `Usage: npm run bench -- [options]        (npm run bench:ci = --short)

  --short                    a few seconds per scenario; checks correctness, not speed
  --scenarios a,b            any of: ${scenarioNames.join(', ')} (default: all)
  --duration S               seconds per measured run (full 10, short 2)
  --connections 16,64,256    ingest levels (and insert-ceiling clients)
  --payload BYTES            event body size (1024)
  --fanout N                 endpoints per mailbox in the fan-out delivery run (5)
  --backlog N                events pre-loaded for the delivery run (full 100000, short 2000)
  --preload api|sql          pre-load through the ingest API (default) or its SQL statement directly
  --ingest-rate N            steady events/s for the producer-latency target (2000)
  --ratio-pairs N            adjacent insert-ceiling/ingest pairs at 64 connections for the ratio target (full 3, short 1)
  --e2e-rate N               steady events/s of the end-to-end run (500)
  --e2e-duration S           length of the end-to-end run (full 30, short 3)
  --storm S                  seconds the receiver fails in the retry storm (full 30, short 3)
  --storm-rate N             events/s sent during the storm (full 200, short 100)
  --outage S                 seconds two endpoints are down in the outage scenario (full 30, short 3)
  --outage-rate N            events/s to each of the outage scenario's three mailboxes (full 100, short 50)
  --noisy S                  seconds of each phase of the noisy-neighbour scenario (full 30, short 8)
  --noisy-rate N             events/s to its healthy mailbox, and to the tarpit's (full 100, short 50)
  --replay N                 failed deliveries replayed in the replay scenario (full 100000, short 2000)
  --list-events N            events in the database for the events-list query (full 1000000, short 20000)
  --queue-jobs N             no-op jobs for the queue ceiling (full 50000, short 2000)
  --topology split|all       api and worker as separate processes (default) or one all-in-one process
  --worker-concurrency N     HOOKPOST_WORKER_CONCURRENCY (default: the product's, ${PRODUCT_WORKER_CONCURRENCY})
  --db-pool-size N           HOOKPOST_DB_POOL_SIZE (default: the product's)
  --insert-driver pg|pgbench  the insert ceiling's client: pg (default, as Hookpost) or pgbench (a pgbench row is added beside pg's when on PATH)
  --events-api auto|rest|graphql
  --log-level LEVEL          Hookpost's LOG_LEVEL (info, the product's default)
  --node-options "FLAGS"     NODE_OPTIONS for the Hookpost processes (e.g. --max-old-space-size=128)
  --profile                  write node --cpu-prof profiles of the Hookpost processes
  --no-pg-stats              do not enable pg_stat_statements
  --fresh-wal                leave the embedded PostgreSQL's WAL as a new cluster's (default in full mode:
                             2 GB of WAL files ready for reuse, as on a server that has been running)
  --database-url URL         use this PostgreSQL (default: DATABASE_URL, else an embedded one)
  --out DIR                  results folder (bench-results)
  --keep                     keep temporary folders and the bench database`;

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got "${value}".`);
  return n;
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) throw new Error(`--${name} must be one of ${allowed.join(', ')}, got "${value}".`);
  return value as T;
}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions | 'help' {
  const { values: v } = parseArgs({
    args: argv,
    allowPositionals: false,
    options: {
      help: { type: 'boolean', short: 'h' },
      short: { type: 'boolean' },
      scenarios: { type: 'string' },
      duration: { type: 'string' },
      connections: { type: 'string' },
      payload: { type: 'string' },
      fanout: { type: 'string' },
      backlog: { type: 'string' },
      preload: { type: 'string' },
      'ingest-rate': { type: 'string' },
      'ratio-pairs': { type: 'string' },
      'e2e-rate': { type: 'string' },
      'e2e-duration': { type: 'string' },
      storm: { type: 'string' },
      'storm-rate': { type: 'string' },
      outage: { type: 'string' },
      'outage-rate': { type: 'string' },
      noisy: { type: 'string' },
      'noisy-rate': { type: 'string' },
      'list-events': { type: 'string' },
      'queue-jobs': { type: 'string' },
      topology: { type: 'string' },
      'worker-concurrency': { type: 'string' },
      'db-pool-size': { type: 'string' },
      'insert-driver': { type: 'string' },
      'events-api': { type: 'string' },
      'log-level': { type: 'string' },
      profile: { type: 'boolean' },
      'node-options': { type: 'string' },
      replay: { type: 'string' },
      'no-pg-stats': { type: 'boolean' },
      'fresh-wal': { type: 'boolean' },
      'database-url': { type: 'string' },
      out: { type: 'string' },
      keep: { type: 'boolean' },
    },
  });
  if (v.help) return 'help';
  const short = Boolean(v.short);
  const pick = (full: number, shortValue: number) => (short ? shortValue : full);

  const scenarios = v.scenarios
    ? v.scenarios.split(',').map((name) => oneOf('scenarios', name.trim(), scenarioNames, 'ingest'))
    : [...scenarioNames];
  const connections = (v.connections ?? '16,64,256').split(',').map((c) => positiveInt('connections', c.trim(), 0));
  const workerConcurrency = v['worker-concurrency']
    ? positiveInt('worker-concurrency', v['worker-concurrency'], 0)
    : undefined;

  return {
    mode: short ? 'short' : 'full',
    scenarios,
    durationS: positiveInt('duration', v.duration, pick(10, 2)),
    connections,
    payloadBytes: positiveInt('payload', v.payload, 1024),
    fanout: positiveInt('fanout', v.fanout, 5),
    backlog: positiveInt('backlog', v.backlog, pick(100_000, 2_000)),
    preload: oneOf('preload', v.preload, ['api', 'sql'] as const, 'api'),
    ingestRate: positiveInt('ingest-rate', v['ingest-rate'], pick(2_000, 500)),
    ratioPairs: v['ratio-pairs'] === '0' ? 0 : positiveInt('ratio-pairs', v['ratio-pairs'], pick(3, 1)),
    e2eRate: positiveInt('e2e-rate', v['e2e-rate'], 500),
    e2eDurationS: positiveInt('e2e-duration', v['e2e-duration'], pick(30, 3)),
    stormS: positiveInt('storm', v.storm, pick(30, 3)),
    stormRate: positiveInt('storm-rate', v['storm-rate'], pick(200, 100)),
    outageS: positiveInt('outage', v.outage, pick(30, 3)),
    outageRate: positiveInt('outage-rate', v['outage-rate'], pick(100, 50)),
    noisyS: positiveInt('noisy', v.noisy, pick(30, 8)),
    noisyRate: positiveInt('noisy-rate', v['noisy-rate'], pick(100, 50)),
    replayDeliveries: positiveInt('replay', v.replay, pick(100_000, 2_000)),
    listEvents: positiveInt('list-events', v['list-events'], pick(1_000_000, 20_000)),
    queueJobs: positiveInt('queue-jobs', v['queue-jobs'], pick(50_000, 2_000)),
    topology: oneOf('topology', v.topology, ['split', 'all'] as const, 'split'),
    workerConcurrency,
    dbPoolSize: v['db-pool-size'] ? positiveInt('db-pool-size', v['db-pool-size'], 0) : undefined,
    insertDriver: oneOf('insert-driver', v['insert-driver'], ['pg', 'pgbench'] as const, 'pg'),
    eventsApi: oneOf('events-api', v['events-api'], ['auto', 'rest', 'graphql'] as const, 'auto'),
    logLevel: v['log-level'] ?? 'info',
    nodeOptions: v['node-options'],
    profile: Boolean(v.profile),
    pgStats: !v['no-pg-stats'],
    // Short mode checks correctness only: no need to spend its seconds on this.
    recycledWalBytes: short || v['fresh-wal'] ? 0 : 2 * 1024 ** 3,
    databaseUrl: v['database-url'] ?? env.DATABASE_URL,
    outDir: v.out ?? 'bench-results',
    keep: Boolean(v.keep),
  };
}

export { usage };
