/** A fresh database for one test file, cloned from the migrated template. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { createPool } from '../../server/db/pool.ts';
import { createLogger } from '../../server/logger.ts';
import { databaseUrl } from './globalSetup.ts';

const silentLogger = createLogger({ level: 'silent', pretty: false });

export interface TestDatabase {
  url: string;
  /** A small pool for the test's own assertions. */
  pool: pg.Pool;
  /** Row count of a table (for "nothing was written" checks). */
  count(table: string, where?: string): Promise<number>;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject('adminUrl');
  const template = inject('templateDatabase');
  const parentPid = template.split('_').pop();
  const name = `hookpost_test_${parentPid}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name} template ${template}`);
  await admin.end();

  const url = databaseUrl(adminUrl, name);
  // The product's pool, with its error handlers: pool.end() resolves before its backends
  // have read their Terminate message, so the `drop … with (force)` in drop() can still
  // reach one, and its "terminating connection" error arrives on an idle client, where an
  // unhandled pool error would fail the whole run.
  const pool = createPool({ connectionString: url, max: 4, applicationName: 'hookpost-test', logger: silentLogger });
  return {
    url,
    pool,
    async count(table, where = 'true') {
      const { rows } = await pool.query<{ n: number }>(`select count(*)::int as n from ${table} where ${where}`);
      return rows[0]!.n;
    },
    async drop() {
      await pool.end();
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}
