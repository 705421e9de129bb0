/**
 * The environment, parsed once into one typed object. The rest of the program reads
 * `Config` and never `process.env`. Every problem is reported together, then the
 * process exits (see main.ts).
 */
import path from 'node:path';
import { z } from 'zod';

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

const envSchema = z.object({
  HOOKPOST_ROLE: z.enum(processRoles).default('all'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: intFromEnv(0, 65535).default(8000),
  DATABASE_URL: z.url().optional(),
  HOOKPOST_DATA_DIR: z.string().min(1).default('.hookpost'),
  HOOKPOST_EMBEDDED_PG_PORT: intFromEnv(0, 65535).default(54329),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOOKPOST_LOG_PRETTY: booleanFromEnv.optional(),
  HOOKPOST_MAX_BODY_BYTES: intFromEnv(1, 64 * 1024 * 1024).default(1024 * 1024),
  HOOKPOST_ENCRYPTION_KEY: z.string().optional(),
  HOOKPOST_ADMIN_TOKEN: z.string().min(24).optional(),
  HOOKPOST_ALLOWED_TARGETS: listFromEnv.default([]),
  HOOKPOST_DB_POOL_SIZE: intFromEnv(2, 500).default(20),
  HOOKPOST_WORKER_CONCURRENCY: intFromEnv(1, 1000).default(32),
  HOOKPOST_WORKER_POLL_INTERVAL_MS: intFromEnv(50, 60_000).default(500),
  HOOKPOST_HEARTBEAT_INTERVAL_MS: intFromEnv(100, 60_000).default(5_000),
  HOOKPOST_WORKER_STALE_AFTER_MS: intFromEnv(500, 600_000).default(15_000),
  HOOKPOST_SHUTDOWN_TIMEOUT_MS: intFromEnv(0, 600_000).default(10_000),
  HOOKPOST_SECRET_ROTATION_GRACE_MS: intFromEnv(0, 30 * 24 * 3600_000).default(24 * 3600_000),
  HOOKPOST_TRUST_PROXY: trustProxyFromEnv.default(false),
  HOOKPOST_ALLOWED_ORIGINS: originsFromEnv.default([]),
  HOOKPOST_GRAPHIQL: booleanFromEnv.optional(),
  HOOKPOST_AUTH_FAILURES_PER_IP: intFromEnv(0, 1_000_000).default(30),
  HOOKPOST_AUTH_FAILURES_PER_CREDENTIAL: intFromEnv(0, 1_000_000).default(10),
  HOOKPOST_AUTH_FAILURE_WINDOW_SECONDS: intFromEnv(1, 86_400).default(300),
});

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
  /** base64 of 32 bytes sealing endpoint secrets; generated into `dataDir` when absent. */
  encryptionKey: string | undefined;
  /** A bootstrap admin token to accept (at least 24 characters); else one is generated into `dataDir`. */
  adminToken: string | undefined;
  /** Private hosts, addresses or CIDR ranges that endpoints may target (`*` for all). Default none. */
  allowedTargets: string[];
  /** Connections in the API's pool. Default 20. */
  dbPoolSize: number;
  /** Deliveries one worker process runs at once. Default 32. */
  workerConcurrency: number;
  /** How often an idle worker looks for due jobs, in ms; bounds how late a retry starts. Default 500. */
  workerPollIntervalMs: number;
  /** How often a worker process records that it is alive, in ms. Default 5000. */
  heartbeatIntervalMs: number;
  /** After how long without a heartbeat a worker's jobs are taken back, in ms. Default 15000. */
  workerStaleAfterMs: number;
  /** How long shutdown waits for in-flight deliveries, in ms. Default 10000. */
  shutdownTimeoutMs: number;
  /** How long a rotated-out signing secret still signs, in ms. Default 24 h. */
  secretRotationGraceMs: number;
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
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment (and a `--role` given on the command line) into a Config. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const e = parsed.data;
  const config: Config = {
    role: e.HOOKPOST_ROLE,
    host: e.HOST,
    port: e.PORT,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.HOOKPOST_DATA_DIR),
    embeddedPostgresPort: e.HOOKPOST_EMBEDDED_PG_PORT,
    logLevel: e.LOG_LEVEL,
    logPretty: e.HOOKPOST_LOG_PRETTY ?? Boolean(process.stdout.isTTY),
    maxBodyBytes: e.HOOKPOST_MAX_BODY_BYTES,
    encryptionKey: e.HOOKPOST_ENCRYPTION_KEY,
    adminToken: e.HOOKPOST_ADMIN_TOKEN,
    allowedTargets: e.HOOKPOST_ALLOWED_TARGETS,
    dbPoolSize: e.HOOKPOST_DB_POOL_SIZE,
    workerConcurrency: e.HOOKPOST_WORKER_CONCURRENCY,
    workerPollIntervalMs: e.HOOKPOST_WORKER_POLL_INTERVAL_MS,
    heartbeatIntervalMs: e.HOOKPOST_HEARTBEAT_INTERVAL_MS,
    workerStaleAfterMs: e.HOOKPOST_WORKER_STALE_AFTER_MS,
    shutdownTimeoutMs: e.HOOKPOST_SHUTDOWN_TIMEOUT_MS,
    secretRotationGraceMs: e.HOOKPOST_SECRET_ROTATION_GRACE_MS,
    trustProxy: e.HOOKPOST_TRUST_PROXY,
    allowedOrigins: e.HOOKPOST_ALLOWED_ORIGINS,
    graphiql: e.HOOKPOST_GRAPHIQL ?? isLoopbackHost(overrides.host ?? e.HOST),
    authFailuresPerIp: e.HOOKPOST_AUTH_FAILURES_PER_IP,
    authFailuresPerCredential: e.HOOKPOST_AUTH_FAILURES_PER_CREDENTIAL,
    authFailureWindowSeconds: e.HOOKPOST_AUTH_FAILURE_WINDOW_SECONDS,
    ...overrides,
  };
  if (config.workerStaleAfterMs <= config.heartbeatIntervalMs * 2) {
    throw new ConfigError(['HOOKPOST_WORKER_STALE_AFTER_MS must be more than twice HOOKPOST_HEARTBEAT_INTERVAL_MS']);
  }
  return config;
}
