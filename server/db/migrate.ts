/**
 * Applies the SQL migrations under prisma/migrations at start-up, then graphile-worker's
 * own. Applied migrations are recorded in `_prisma_migrations` exactly as
 * `prisma migrate deploy` records them (same table, same SHA-256 checksums), so either
 * tool can take over from the other. Prisma's CLI needs a native schema engine that
 * cannot be downloaded everywhere; this needs nothing but the database. Last, the
 * planner settings of graphile-worker's `add_jobs` (addJobsPlans.ts).
 */
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import { runMigrations } from 'graphile-worker';
import type pg from 'pg';
import { toGraphileLogger, type Logger } from '../logger.ts';
import { fromRoot } from '../projectRoot.ts';
import { settleAddJobsPlans } from './addJobsPlans.ts';

export const migrationsDir = fromRoot('prisma', 'migrations');

/** Serialises concurrent start-ups of several Hookpost processes on one database. */
const MIGRATION_LOCK_KEY = 7_240_311_001;

interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export async function listMigrations(dir = migrationsDir): Promise<Migration[]> {
  const entries = await fs.readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await fs.readFile(`${dir}/${name}/migration.sql`, 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

export async function migrate(pool: pg.Pool, logger: Logger): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(`
      create table if not exists "_prisma_migrations" (
        "id" varchar(36) primary key not null,
        "checksum" varchar(64) not null,
        "finished_at" timestamptz,
        "migration_name" varchar(255) not null,
        "logs" text,
        "rolled_back_at" timestamptz,
        "started_at" timestamptz not null default now(),
        "applied_steps_count" integer not null default 0
      )`);
    const { rows } = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      'select migration_name, checksum, finished_at from "_prisma_migrations" where rolled_back_at is null',
    );
    const applied = new Map(rows.map((row) => [row.migration_name, row]));
    const unfinished = rows.find((row) => row.finished_at === null);
    if (unfinished) {
      throw new Error(
        `Migration ${unfinished.migration_name} started but never finished; resolve it before starting Hookpost.`,
      );
    }
    for (const migration of await listMigrations()) {
      const done = applied.get(migration.name);
      if (done) {
        if (done.checksum !== migration.checksum) {
          logger.warn(
            { migration: migration.name },
            'An applied migration was edited after it ran; the database keeps the old version.',
          );
        }
        continue;
      }
      await client.query('begin');
      try {
        await client.query(migration.sql);
        await client.query(
          `insert into "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
           values ($1, $2, $3, now(), now(), 1)`,
          [randomUUID(), migration.checksum, migration.name],
        );
        await client.query('commit');
      } catch (error) {
        await client.query('rollback');
        throw new Error(`Migration ${migration.name} failed: ${(error as Error).message}`, { cause: error });
      }
      logger.info({ migration: migration.name }, `Applied migration ${migration.name}.`);
    }
    await runMigrations({ pgPool: pool, logger: toGraphileLogger(logger) });
    await settleAddJobsPlans(client, logger);
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    client.release();
  }
}
