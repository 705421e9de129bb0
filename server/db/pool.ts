/**
 * PostgreSQL connection pools. The API and the delivery task share one `pg.Pool`
 * (Prisma runs on it through @prisma/adapter-pg); graphile-worker keeps its own so job
 * fetching never waits behind application queries; reads for people have their own
 * (readSide.ts) so they never wait for, or hold, the connections writes need.
 */
import pg from 'pg';
import type { Logger } from '../logger.ts';

export function createPool(options: {
  connectionString: string;
  max: number;
  applicationName: string;
  logger: Logger;
  /**
   * false: commits return before their WAL is flushed. Only for writes a database crash
   * may lose harmlessly (job bookkeeping that fencing makes safe to redo). Default true.
   */
  synchronousCommit?: boolean;
  /** Statements running longer than this are cancelled by PostgreSQL (SQLSTATE 57014), in ms. Default none. */
  statementTimeoutMs?: number;
  /**
   * true: prepared statements always run with their generic plan, planned once per
   * connection for named statements (`{ name, text }`); an unnamed one is still planned at
   * every execution, only generically. Only for a pool whose statements find their rows by
   * id, where the values never change the best plan: PostgreSQL otherwise may judge a
   * statement's generic plan dearer than a custom one (an id array of one is cheaper than
   * the 100 rows it assumes for any array) and plan it again at every execution. Default
   * false.
   */
  genericPlans?: boolean;
}): pg.Pool {
  const settings = [
    ...(options.synchronousCommit === false ? ['-c synchronous_commit=off'] : []),
    ...(options.genericPlans ? ['-c plan_cache_mode=force_generic_plan'] : []),
  ];
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max,
    application_name: options.applicationName,
    ...(settings.length > 0 ? { options: settings.join(' ') } : {}),
    ...(options.statementTimeoutMs !== undefined ? { statement_timeout: options.statementTimeoutMs } : {}),
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  const onError = (error: Error) =>
    options.logger.warn({ err: error }, 'A PostgreSQL connection failed; the pool will replace it.');
  pool.on('error', onError);
  pool.on('connect', (client) => client.on('error', onError));
  return pool;
}

/** Runs `work` in one transaction on one client, rolling back when it throws. */
export async function withTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const result = await work(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
