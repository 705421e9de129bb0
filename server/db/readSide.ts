/**
 * Where reads for people run: GraphQL queries and subscriptions' payloads, REST lists
 * and details, statistics. They get a pool of their own, with a statement timeout, so
 * that however heavy or many they are, they never take the connections that ingest and
 * delivery write with, and none runs for long: a statement past the timeout is
 * cancelled by PostgreSQL and its caller gets `query_timeout`. Writes, and the reads
 * inside a write's transaction, stay on the application pool (runtime.ts `pool`).
 */
import type pg from 'pg';
import type { Logger } from '../logger.ts';
import { createPool } from './pool.ts';
import { createPrisma, type PrismaClient } from './prisma.ts';

export interface ReadSide {
  pool: pg.Pool;
  /** Prisma on the read pool. */
  prisma: PrismaClient;
}

export function createReadSide(options: {
  connectionString: string;
  /** Connections at most (HOOKPOST_READ_POOL_MAX). */
  max: number;
  /** In ms (HOOKPOST_READ_STATEMENT_TIMEOUT_MS). */
  statementTimeoutMs: number;
  applicationName: string;
  logger: Logger;
}): ReadSide {
  const pool = createPool({
    connectionString: options.connectionString,
    max: options.max,
    applicationName: options.applicationName,
    logger: options.logger,
    statementTimeoutMs: options.statementTimeoutMs,
  });
  return { pool, prisma: createPrisma(pool) };
}
