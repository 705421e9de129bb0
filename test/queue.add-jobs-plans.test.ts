/**
 * graphile-worker's `add_jobs` keeps index plans in a long-lived session: a session that
 * first enqueued jobs while the job table was empty (an api process just started) must
 * not read the whole job table on every later call once a backlog has built up
 * (server/db/addJobsPlans.ts). The same steps without the settings show the scan, so
 * the test would see it come back.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ADD_JOBS, ADD_JOBS_SETTINGS, settleAddJobsPlans } from '../server/db/addJobsPlans.ts';
import { createLogger } from '../server/logger.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';

const oneJob = `select count(*) from graphile_worker.add_jobs(array[row('plans-test', '{}'::json, null, null, 1, null, null, null)::graphile_worker.job_spec])`;

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  // An autovacuum ANALYZE in the middle would re-plan and hide what is being looked at.
  await db.pool.query('alter table graphile_worker._private_jobs set (autovacuum_enabled = false)');
});

afterAll(async () => {
  await db?.drop();
});

/** Sequential scans of the job table made by one add_jobs call in a session that planned it on an empty table. */
async function scansAfterBacklog(): Promise<number> {
  await db.pool.query('truncate graphile_worker._private_jobs');
  const session = new pg.Client({ connectionString: db.url });
  await session.connect();
  try {
    // Enough calls for PostgreSQL to settle on its plans, all while the table is nearly empty.
    for (let i = 0; i < 8; i++) await session.query(oneJob);
    // A backlog arrives through another connection.
    await db.pool.query(`select count(*) from graphile_worker.add_jobs(array(
      select row('plans-test', json_build_object('n', g), null, null, 1, null, null, null)::graphile_worker.job_spec
        from generate_series(1, 5000) g))`);
    await session.query('begin');
    await session.query(oneJob);
    const { rows } = await session.query<{ scans: number }>(
      `select seq_scan::int as scans from pg_stat_xact_all_tables where relid = 'graphile_worker._private_jobs'::regclass`,
    );
    await session.query('rollback');
    return rows[0]!.scans;
  } finally {
    await session.end();
  }
}

describe('add_jobs plans', () => {
  test('the migrations leave add_jobs with its planner settings', async () => {
    const { rows } = await db.pool.query<{ settings: string[] }>(
      `select proconfig as settings from pg_proc where oid = to_regprocedure($1)`,
      [ADD_JOBS],
    );
    expect(rows[0]!.settings).toEqual(expect.arrayContaining(ADD_JOBS_SETTINGS));
  });

  test('a session that planned add_jobs on an empty job table finds keys by index once 5,000 jobs wait', async () => {
    expect(await scansAfterBacklog()).toBe(0);
  });

  test('without the settings, the same session scans the whole job table on every call', async () => {
    await db.pool.query(`alter function ${ADD_JOBS} reset all`);
    try {
      expect(await scansAfterBacklog()).toBeGreaterThan(0);
    } finally {
      const client = await db.pool.connect();
      try {
        await settleAddJobsPlans(client, createLogger({ level: 'silent', pretty: false }));
      } finally {
        client.release();
      }
    }
  });
});
