/**
 * The environment, parsed once into one typed object. The rest of the program reads
 * `Config` and never `process.env`. Every problem is reported together, naming its
 * variable, before anything starts; then the process exits (see main.ts).
 *
 * Secrets may also come from files (Docker and Kubernetes secrets): `<NAME>_FILE` holds
 * the path, and the file's content (trimmed) is the value. An empty variable counts as
 * unset, as compose's `${NAME:-}` gives one.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { retryPresetNames, type RetryPresetName } from './endpoints/retryPolicy.ts';
import { MAX_RETENTION_DAYS } from './retention/retentionRules.ts';
import { tracingEnvShape, tracingFromEnv, type TracingConfig } from './tracing/tracingSettings.ts';

export const processRoles = ['all', 'api', 'worker'] as const;
export type ProcessRole = (typeof processRoles)[number];

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => ['true', '1', 'yes'].includes(value));

const listFromEnv = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean),
);

const intFromEnv = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** `false`/`true`, a number of proxy hops, or the proxies' addresses and CIDR ranges. */
const trustProxyFromEnv = z.string().transform((value, ctx): boolean | number | string[] => {
  const text = value.trim().toLowerCase();
  if (['', 'false', '0', 'no'].includes(text)) return false;
  if (['true', 'yes'].includes(text)) return true;
  if (/^\d+$/.test(text)) return Number(text);
  const list = text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  if (list.every((item) => /^[0-9a-f.:]+(\/\d{1,3})?$/.test(item))) return list;
  ctx.addIssue({ code: 'custom', message: 'must be true, false, a number of hops, or addresses/CIDR ranges' });
  return z.NEVER;
});

/** Origins as browsers send them: scheme, host and port, nothing else. */
const originsFromEnv = listFromEnv.pipe(
  z.array(
    z
      .string()
      .regex(/^https?:\/\/[^/?#\s]+$/i, 'must be an origin like https://hookpost.example.com (no path)')
      .transform((origin) => new URL(origin).origin),
  ),
);
/** Variables that may be given as `<NAME>_FILE` instead. */
export const secretVariables = ['DATABASE_URL', 'HOOKPOST_ENCRYPTION_KEY', 'HOOKPOST_ADMIN_TOKEN'] as const;

const postgresUrl = z.string().superRefine((value, ctx) => {
  const protocol = URL.canParse(value) ? new URL(value).protocol : undefined;
  if (protocol === 'postgres:' || protocol === 'postgresql:') return;
  ctx.addIssue({
    code: 'custom',
    message: `must be a PostgreSQL URL (postgres://user:password@host:5432/database)${protocol ? `, not ${protocol}//…` : ''}`,
  });
});

// The key seals endpoint secrets with AES-256: exactly 32 bytes, checked here rather than
// after the database (and possibly an embedded one) has started.
const encryptionKey = z
  .string()
  .refine((value) => /^[A-Za-z0-9+/]+={0,2}$/.test(value) && Buffer.from(value, 'base64').length === 32, {
    error: 'must be 32 bytes in base64 (openssl rand -base64 32)',
  });

/** Why an allow-list entry is not a host name, an address, a CIDR range or `*`; null when it is one. */
function allowedTargetProblem(entry: string): string | null {
  if (entry === '*' || ipaddr.isValid(entry)) return null;
  if (entry.includes('/')) return ipaddr.isValidCIDR(entry) ? null : `"${entry}" is not a valid CIDR range`;
  return /^[a-z0-9_][a-z0-9_-]*(\.[a-z0-9_][a-z0-9_-]*)*\.?$/i.test(entry)
    ? null
    : `"${entry}" is neither a host name, an IP address, a CIDR range nor *`;
}

const allowedTargets = listFromEnv.superRefine((entries, ctx) => {
  for (const entry of entries) {
    const problem = allowedTargetProblem(entry);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  }
});

// `proxy.internal:3128` means http://proxy.internal:3128, as curl reads it.
const proxyUrl = z
  .string()
  .transform((value) => (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`))
  .pipe(z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL of the proxy' }));

const envSchema = z.object({
  HOOKPOST_ROLE: z.enum(processRoles).default('all'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: intFromEnv(0, 65535).default(8000),
  HOOKPOST_OPS_HOST: z.string().min(1).optional(),
  HOOKPOST_OPS_PORT: intFromEnv(0, 65535).default(9464),
  HOOKPOST_METRICS_TOKEN: z.string().min(16).optional(),
  DATABASE_URL: postgresUrl.optional(),
  HOOKPOST_DATA_DIR: z.string().min(1).default('.hookpost'),
  HOOKPOST_EMBEDDED_PG_PORT: intFromEnv(0, 65535).default(54329),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOOKPOST_LOG_PRETTY: booleanFromEnv.optional(),
  HOOKPOST_MAX_BODY_BYTES: intFromEnv(1, 64 * 1024 * 1024).default(1024 * 1024),
  HOOKPOST_INGEST_TIMEOUT_MS: intFromEnv(100, 120_000).default(5_000),
  HOOKPOST_INGEST_MAX_BYTES_IN_FLIGHT: intFromEnv(1024, 4 * 1024 * 1024 * 1024).default(32 * 1024 * 1024),
  HOOKPOST_HTTP_HEADERS_TIMEOUT_MS: intFromEnv(1_000, 600_000).default(10_000),
  HOOKPOST_HTTP_REQUEST_TIMEOUT_MS: intFromEnv(1_000, 600_000).default(30_000),
  HOOKPOST_HTTP_KEEP_ALIVE_TIMEOUT_MS: intFromEnv(100, 600_000).default(5_000),
  HOOKPOST_HTTP_MAX_CONNECTIONS: intFromEnv(16, 1_000_000).default(1_024),
  HOOKPOST_ENCRYPTION_KEY: encryptionKey.optional(),
  HOOKPOST_ADMIN_TOKEN: z.string().min(24).optional(),
  HOOKPOST_ALLOWED_TARGETS: allowedTargets.default([]),
  HOOKPOST_DB_POOL_SIZE: intFromEnv(2, 500).default(20),
  HOOKPOST_READ_POOL_MAX: intFromEnv(1, 500).default(10),
  HOOKPOST_READ_STATEMENT_TIMEOUT_MS: intFromEnv(100, 3_600_000).default(5_000),
  HOOKPOST_LIVE_MAX_PER_CONNECTION: intFromEnv(1, 10_000).default(20),
  HOOKPOST_LIVE_MAX_PER_TOKEN: intFromEnv(1, 100_000).default(100),
  HOOKPOST_WORKER_CONCURRENCY: intFromEnv(1, 1000).default(32),
  HOOKPOST_ENDPOINT_MAX_SHARE: z.coerce.number().gt(0).max(1).default(0.25),
  HOOKPOST_WORKER_POLL_INTERVAL_MS: intFromEnv(50, 60_000).default(500),
  HOOKPOST_HEARTBEAT_INTERVAL_MS: intFromEnv(100, 60_000).default(5_000),
  HOOKPOST_WORKER_STALE_AFTER_MS: intFromEnv(500, 600_000).default(15_000),
  HOOKPOST_SHUTDOWN_TIMEOUT_MS: intFromEnv(0, 600_000).default(10_000),
  HOOKPOST_RECONCILE_INTERVAL_MS: intFromEnv(1_000, 3_600_000).default(15_000),
  HOOKPOST_RECONCILE_AFTER_MS: intFromEnv(1_000, 3_600_000).default(30_000),
  HOOKPOST_SECRET_ROTATION_GRACE_MS: intFromEnv(0, 30 * 24 * 3600_000).default(24 * 3600_000),
  HOOKPOST_DEFAULT_RETRY_POLICY: z.enum(retryPresetNames).default('spec'),
  HOOKPOST_REPLAY_PER_SECOND: intFromEnv(1, 100_000).default(500),
  HOOKPOST_ERASURE_PER_SECOND: intFromEnv(1, 100_000).default(250),
  HOOKPOST_TRUST_PROXY: trustProxyFromEnv.default(false),
  HOOKPOST_ALLOWED_ORIGINS: originsFromEnv.default([]),
  HOOKPOST_GRAPHIQL: booleanFromEnv.optional(),
  HOOKPOST_AUTH_FAILURES_PER_IP: intFromEnv(0, 1_000_000).default(30),
  HOOKPOST_AUTH_FAILURES_PER_CREDENTIAL: intFromEnv(0, 1_000_000).default(10),
  HOOKPOST_AUTH_FAILURE_WINDOW_SECONDS: intFromEnv(1, 86_400).default(300),
  HOOKPOST_IDEMPOTENCY_WINDOW_HOURS: intFromEnv(1, 30 * 24).default(24),
  HOOKPOST_RETENTION_DAYS: intFromEnv(0, MAX_RETENTION_DAYS).default(30),
  HOOKPOST_RESPONSE_BODY_RETENTION_DAYS: intFromEnv(0, MAX_RETENTION_DAYS).default(7),
  HOOKPOST_AUDIT_RETENTION_DAYS: intFromEnv(0, MAX_RETENTION_DAYS).default(365),
  // The usual proxy variables; the lower-case spelling wins, as in curl and undici.
  http_proxy: proxyUrl.optional(),
  HTTP_PROXY: proxyUrl.optional(),
  https_proxy: proxyUrl.optional(),
  HTTPS_PROXY: proxyUrl.optional(),
  no_proxy: z.string().optional(),
  NO_PROXY: z.string().optional(),
  ...tracingEnvShape,
});

/** Where deliveries go out through a forward proxy; see delivery/egressProxy.ts. */
export interface EgressProxy {
  /** Proxy for http:// endpoints (HTTP_PROXY). */
  httpProxy: string | undefined;
  /** Proxy for https:// endpoints (HTTPS_PROXY). */
  httpsProxy: string | undefined;
  /** Hosts reached directly (NO_PROXY: comma-separated names, `.domain` suffixes, `host:port`, or `*`). */
  noProxy: string;
}

/** Whether the API listens only on this machine (then GraphiQL is on by default). */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export interface Config {
  /** Which parts run in this process: the HTTP API, the delivery worker, or both. Default `all`. */
  role: ProcessRole;
  /** Interface to listen on. Default `127.0.0.1`; containers set `0.0.0.0`. */
  host: string;
  /** HTTP port for the API, GraphQL and the dashboard. Default 8000; 0 picks a free one. */
  port: number;
  /** Interface of the operations listener (/healthz, /readyz, /metrics). Default: `host`. */
  opsHost: string;
  /** Port of the operations listener, in every process (workers too). Default 9464; 0 picks a free one. */
  opsPort: number;
  /** When set, /metrics asks for it as a bearer token (at least 16 characters). */
  metricsToken: string | undefined;
  /** PostgreSQL to use; when absent, an embedded PostgreSQL is started under `dataDir`. */
  databaseUrl: string | undefined;
  /** Absolute folder for local state: embedded PostgreSQL data, generated keys. Default `./.hookpost`. */
  dataDir: string;
  /** Port of the embedded PostgreSQL. Default 54329. */
  embeddedPostgresPort: number;
  logLevel: string;
  /** Pretty logs for people; default: when stdout is a terminal. */
  logPretty: boolean;
  /** Largest accepted event body in bytes. Default 1 MiB. */
  maxBodyBytes: number;
  /** How long a producer waits at most for its event to be committed before a 503, in ms. Default 5000. */
  ingestTimeoutMs: number;
  /** Event bodies being received or written at once, in bytes, beyond which producers get 503. Default 32 MiB. */
  ingestMaxBytesInFlight: number;
  /** A request's headers must arrive within this, in ms. Default 10000. */
  httpHeadersTimeoutMs: number;
  /** A whole request (headers and body) must arrive within this, in ms. Default 30000. */
  httpRequestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this, in ms. Default 5000. */
  httpKeepAliveTimeoutMs: number;
  /** Open HTTP connections at most; more are refused. Default 1024. */
  httpMaxConnections: number;
  /** base64 of 32 bytes sealing endpoint secrets; generated into `dataDir` when absent. */
  encryptionKey: string | undefined;
  /** A bootstrap admin token to accept (at least 24 characters); else one is generated into `dataDir`. */
  adminToken: string | undefined;
  /** Private hosts, addresses or CIDR ranges that endpoints may target (`*` for all). Default none. */
  allowedTargets: string[];
  /** Connections in the API's pool. Default 20. */
  dbPoolSize: number;
  /** Connections of the pool that GraphQL and REST reads run on, apart from ingest and delivery. Default 10. */
  readPoolMax: number;
  /** A read statement running longer than this is cancelled (the caller gets `query_timeout`), in ms. Default 5000. */
  readStatementTimeoutMs: number;
  /** Operations (live subscriptions) one GraphQL WebSocket connection may have open at once. Default 20. */
  liveMaxPerConnection: number;
  /** Live subscriptions one access token may have open at once in a process, over all its connections. Default 100. */
  liveMaxPerToken: number;
  /** Deliveries one worker process runs at once. Default 32. */
  workerConcurrency: number;
  /** The fraction of a worker's request slots and jobs one endpoint may hold (at least one). Default 0.25. */
  endpointMaxShare: number;
  /** How often an idle worker looks for due jobs, in ms; bounds how late a retry starts. Default 500. */
  workerPollIntervalMs: number;
  /** How often a worker process records that it is alive, in ms. Default 5000. */
  heartbeatIntervalMs: number;
  /** After how long without a heartbeat a worker's jobs are taken back, in ms. Default 15000. */
  workerStaleAfterMs: number;
  /** How long shutdown waits for in-flight deliveries, in ms. Default 10000. */
  shutdownTimeoutMs: number;
  /** How often a worker looks for stranded deliveries (one process at a time), in ms. Default 15000. */
  reconcileIntervalMs: number;
  /** How long a delivery's row must be still before it can count as stranded, in ms. Default 30000. */
  reconcileAfterMs: number;
  /** How long a rotated-out signing secret still signs, in ms. Default 24 h. */
  secretRotationGraceMs: number;
  /** The retry preset of endpoints created without a retry policy: `spec` (default: 3 attempts, +2 s, +4 s) or `production` (8 over ~27 h). */
  defaultRetryPolicy: RetryPresetName;
  /** Deliveries a bulk replay puts back in line per second, at most. Default 500. */
  replayPerSecond: number;
  /** Events a bulk erasure erases per second, at most (in five batches). Default 250. */
  erasurePerSecond: number;
  /**
   * Which proxies in front of Hookpost to believe about the client (X-Forwarded-For,
   * -Proto, -Host): `false` (default), `true` (all), a hop count, or addresses/CIDRs.
   * Decides the client IP (rate limits) and whether cookies are `Secure`.
   */
  trustProxy: boolean | number | string[];
  /** Origins besides Hookpost's own whose pages may use the session cookie. Default none. */
  allowedOrigins: string[];
  /** Serve GraphiQL and answer introspection without a token. Default: on only when `host` is loopback. */
  graphiql: boolean;
  /** Failed authentications one client IP may make per window before it gets 429. Default 30; 0 = no limit. */
  authFailuresPerIp: number;
  /** Failed authentications per credential prefix (first 12 characters) per window. Default 10; 0 = no limit. */
  authFailuresPerCredential: number;
  /** The window of those limits, in seconds; a blocked caller waits for its end. Default 300. */
  authFailureWindowSeconds: number;
  /** How long an idempotency key counts: a repeat within it gets the first answer, in hours. Default 24. */
  idempotencyWindowHours: number;
  /** How long events (with their deliveries and attempts) are kept once settled, in days; 0 = forever. A mailbox may set its own. Default 30. */
  retentionDays: number;
  /** How long attempts' captured response bodies are kept, in days; 0 = as long as their event. Default 7. */
  responseBodyRetentionDays: number;
  /** How long audit log entries (and ended bulk erasures) are kept, in days; 0 = forever. Default 365. */
  auditRetentionDays: number;
  /** Forward proxy for deliveries. Default none: deliveries connect directly. */
  egressProxy: EgressProxy;
  /** OpenTelemetry traces over OTLP/HTTP (tracing/tracingSettings.ts). Default off (undefined). */
  tracing: TracingConfig | undefined;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment (and a `--role` given on the command line) into a Config. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const { values, fromFile, problems } = readEnvironment(env);
  const parsed = envSchema.safeParse(values);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = issue.path.join('.');
      problems.push(`${name}${fromFile.has(name) ? ` (from ${name}_FILE)` : ''}: ${issue.message}`);
    }
  }
  const traced = parsed.success ? tracingFromEnv(parsed.data) : undefined;
  if (traced) problems.push(...traced.problems);
  if (!parsed.success || problems.length) throw new ConfigError(problems);
  const e = parsed.data;
  const config: Config = {
    role: e.HOOKPOST_ROLE,
    host: e.HOST,
    port: e.PORT,
    opsHost: e.HOOKPOST_OPS_HOST ?? e.HOST,
    opsPort: e.HOOKPOST_OPS_PORT,
    metricsToken: e.HOOKPOST_METRICS_TOKEN,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.HOOKPOST_DATA_DIR),
    embeddedPostgresPort: e.HOOKPOST_EMBEDDED_PG_PORT,
    logLevel: e.LOG_LEVEL,
    logPretty: e.HOOKPOST_LOG_PRETTY ?? Boolean(process.stdout.isTTY),
    maxBodyBytes: e.HOOKPOST_MAX_BODY_BYTES,
    ingestTimeoutMs: e.HOOKPOST_INGEST_TIMEOUT_MS,
    ingestMaxBytesInFlight: e.HOOKPOST_INGEST_MAX_BYTES_IN_FLIGHT,
    httpHeadersTimeoutMs: e.HOOKPOST_HTTP_HEADERS_TIMEOUT_MS,
    httpRequestTimeoutMs: e.HOOKPOST_HTTP_REQUEST_TIMEOUT_MS,
    httpKeepAliveTimeoutMs: e.HOOKPOST_HTTP_KEEP_ALIVE_TIMEOUT_MS,
    httpMaxConnections: e.HOOKPOST_HTTP_MAX_CONNECTIONS,
    encryptionKey: e.HOOKPOST_ENCRYPTION_KEY,
    adminToken: e.HOOKPOST_ADMIN_TOKEN,
    allowedTargets: e.HOOKPOST_ALLOWED_TARGETS,
    dbPoolSize: e.HOOKPOST_DB_POOL_SIZE,
    readPoolMax: e.HOOKPOST_READ_POOL_MAX,
    readStatementTimeoutMs: e.HOOKPOST_READ_STATEMENT_TIMEOUT_MS,
    liveMaxPerConnection: e.HOOKPOST_LIVE_MAX_PER_CONNECTION,
    liveMaxPerToken: e.HOOKPOST_LIVE_MAX_PER_TOKEN,
    workerConcurrency: e.HOOKPOST_WORKER_CONCURRENCY,
    endpointMaxShare: e.HOOKPOST_ENDPOINT_MAX_SHARE,
    workerPollIntervalMs: e.HOOKPOST_WORKER_POLL_INTERVAL_MS,
    heartbeatIntervalMs: e.HOOKPOST_HEARTBEAT_INTERVAL_MS,
    workerStaleAfterMs: e.HOOKPOST_WORKER_STALE_AFTER_MS,
    shutdownTimeoutMs: e.HOOKPOST_SHUTDOWN_TIMEOUT_MS,
    reconcileIntervalMs: e.HOOKPOST_RECONCILE_INTERVAL_MS,
    reconcileAfterMs: e.HOOKPOST_RECONCILE_AFTER_MS,
    secretRotationGraceMs: e.HOOKPOST_SECRET_ROTATION_GRACE_MS,
    defaultRetryPolicy: e.HOOKPOST_DEFAULT_RETRY_POLICY,
    replayPerSecond: e.HOOKPOST_REPLAY_PER_SECOND,
    erasurePerSecond: e.HOOKPOST_ERASURE_PER_SECOND,
    trustProxy: e.HOOKPOST_TRUST_PROXY,
    allowedOrigins: e.HOOKPOST_ALLOWED_ORIGINS,
    graphiql: e.HOOKPOST_GRAPHIQL ?? isLoopbackHost(overrides.host ?? e.HOST),
    authFailuresPerIp: e.HOOKPOST_AUTH_FAILURES_PER_IP,
    authFailuresPerCredential: e.HOOKPOST_AUTH_FAILURES_PER_CREDENTIAL,
    authFailureWindowSeconds: e.HOOKPOST_AUTH_FAILURE_WINDOW_SECONDS,
    idempotencyWindowHours: e.HOOKPOST_IDEMPOTENCY_WINDOW_HOURS,
    retentionDays: e.HOOKPOST_RETENTION_DAYS,
    responseBodyRetentionDays: e.HOOKPOST_RESPONSE_BODY_RETENTION_DAYS,
    auditRetentionDays: e.HOOKPOST_AUDIT_RETENTION_DAYS,
    egressProxy: {
      httpProxy: e.http_proxy ?? e.HTTP_PROXY,
      httpsProxy: e.https_proxy ?? e.HTTPS_PROXY,
      noProxy: e.no_proxy ?? e.NO_PROXY ?? '',
    },
    tracing: traced?.tracing,
    ...overrides,
  };
  if (config.workerStaleAfterMs <= config.heartbeatIntervalMs * 2) {
    throw new ConfigError(['HOOKPOST_WORKER_STALE_AFTER_MS must be more than twice HOOKPOST_HEARTBEAT_INTERVAL_MS']);
  }
  return config;
}

/** The environment with empty variables dropped and `<NAME>_FILE` secrets read in. */
function readEnvironment(env: NodeJS.ProcessEnv) {
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value) values[name] = value;
  const fromFile = new Set<string>();
  const problems: string[] = [];
  for (const name of secretVariables) {
    const file = values[`${name}_FILE`];
    if (file === undefined) continue;
    if (values[name] !== undefined) {
      problems.push(`${name} and ${name}_FILE are both set; set one.`);
      continue;
    }
    try {
      values[name] = readFileSync(file, 'utf8').trim();
      fromFile.add(name);
    } catch (error) {
      problems.push(`${name}_FILE: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  }
  return { values, fromFile, problems };
}
