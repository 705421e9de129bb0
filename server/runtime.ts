/**
 * What the services need, built once per process by hookpost.ts (and by the tests).
 * Services take it as their first argument instead of importing singletons.
 */
import type pg from 'pg';
import type { AlertSender } from './alerts/systemMailbox.ts';
import type { SecretBox } from './auth/secretBox.ts';
import type { Config } from './config.ts';
import type { ChangeBus } from './db/changeBus.ts';
import type { PrismaClient } from './db/prisma.ts';
import type { ReadSide } from './db/readSide.ts';
import type { TargetPolicy } from './delivery/targetGuard.ts';
import type { EventWriter } from './ingest/eventWriter.ts';
import type { RouteCache } from './ingest/routeCache.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import type { Readiness } from './ops/readiness.ts';
import type { Tracing } from './tracing/tracing.ts';

export interface Runtime {
  config: Config;
  logger: Logger;
  /** The application pool: Prisma runs on it, and the hot paths' SQL. Writes go here. */
  pool: pg.Pool;
  prisma: PrismaClient;
  /** Reads for people (GraphQL, REST lists and details, statistics), on their own pool with a statement timeout. */
  reads: ReadSide;
  secretBox: SecretBox;
  targetPolicy: TargetPolicy;
  metrics: Metrics;
  /** Live changes to and from every process (GraphQL subscriptions). */
  changes: ChangeBus;
  /** Writes accepted events in shared transactions (group commit). */
  eventWriter: EventWriter;
  /** Which mailbox an API key opens and its endpoints, cached briefly. */
  routes: RouteCache;
  /** Whether this process can do its job (/readyz). */
  readiness: Readiness;
  /** Hookpost's own operational events, into the system mailbox. */
  alerts: AlertSender;
  /** OpenTelemetry traces; absent unless configured (config.tracing). */
  tracing?: Tracing;
}
