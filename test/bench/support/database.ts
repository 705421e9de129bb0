/**
 * The PostgreSQL every part of the run shares: an embedded PostgreSQL 18 in a temporary
 * folder (server/db/embeddedPostgres.ts, durable settings: fsync and synchronous commit
 * on, as in production), or the server of DATABASE_URL, where a fresh database is made
 * for the run and dropped after it. Hookpost's migrations are applied once here, so the
 * baselines can use graphile-worker's schema before any Hookpost process starts.
 *
 * pg_stat_statements is enabled when the server allows it (on the embedded one by
 * restarting it with the library preloaded), so each scenario can say which statements
 * took the database's time.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../../server/db/embeddedPostgres.ts';
import { migrate } from '../../../server/db/migrate.ts';
import { createPool } from '../../../server/db/pool.ts';
import { createLogger } from '../../../server/logger.ts';
import { onCleanup } from './cleanup.ts';
import { recycleWal } from './recycledWal.ts';
import { freePort } from '../../support/ports.ts';

export interface BenchDatabase {
  kind: 'embedded' | 'external';
  /** The bench database, for Hookpost and the checks. */
  url: string;
  /** A small pool on it for the bench's own queries. */
  pool: pg.Pool;
  version: string;
  settings: Record<string, string>;
  pgStats: boolean;
  /** The postmaster's pid when it runs on this machine (for CPU accounting), else null. */
  postmasterPid: number | null;
  notes: string[];
}

export async function startBenchDatabase(options: {
  databaseUrl: string | undefined;
  pgStats: boolean;
  keep: boolean;
  /** Embedded only: WAL to make ready for reuse, as a running server has it (recycledWal.ts). */
  recycledWalBytes?: number;
}): Promise<BenchDatabase> {
  const notes: string[] = [];
  let url: string;
  let kind: BenchDatabase['kind'];
  if (options.databaseUrl) {
    kind = 'external';
    url = await createExternalDatabase(options.databaseUrl, options.keep);
  } else {
    kind = 'embedded';
    url = await startEmbedded(options.pgStats, options.keep);
  }

  const logger = createLogger({ level: 'warn', pretty: false });
  const pool = createPool({ connectionString: url, max: 4, applicationName: 'hookpost-bench', logger });
  onCleanup('close the bench pool', () => pool.end());
  await migrate(pool, logger);
  if (kind === 'embedded' && options.recycledWalBytes) {
    const { files, ms } = await recycleWal(pool, options.recycledWalBytes);
    notes.push(
      `WAL: ${files} files of 16 MB ready for reuse before the run, as on a server that has been running (${(ms / 1000).toFixed(1)} s; --fresh-wal leaves a new cluster's).`,
    );
  }

  let pgStats = false;
  if (options.pgStats) {
    try {
      await pool.query('create extension if not exists pg_stat_statements');
      await pool.query('select pg_stat_statements_reset()');
      pgStats = true;
    } catch (error) {
      notes.push(
        `pg_stat_statements is not available on this server (${(error as Error).message.split('\n')[0]}); no per-statement figures.`,
      );
    }
  }

  const { rows } = await pool.query<{ name: string; setting: string }>(
    `select name, setting || coalesce(unit, '') as setting from pg_settings
      where name in ('server_version', 'max_connections', 'shared_buffers', 'fsync', 'synchronous_commit', 'wal_level', 'shared_preload_libraries')`,
  );
  const settings = Object.fromEntries(rows.map((row) => [row.name, row.setting]));
  const version = (await pool.query<{ version: string }>('select version()')).rows[0]!.version;
  return { kind, url, pool, version, settings, pgStats, postmasterPid: await findPostmaster(pool), notes };
}

async function startEmbedded(pgStats: boolean, keep: boolean): Promise<string> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'hookpost-bench-pg-'));
  // As root, PostgreSQL runs as "postgres" and must reach this folder.
  await fs.chmod(dataDir, 0o755);
  if (!keep) onCleanup('remove the embedded PostgreSQL folder', () => fs.rm(dataDir, { recursive: true, force: true }));
  const logger = createLogger({ level: 'warn', pretty: false });
  const port = await freePort();
  const start = () => startEmbeddedPostgres({ dataDir, port, logger, database: 'hookpost_bench' });

  let embedded: EmbeddedPostgres = await start();
  if (pgStats) {
    // shared_preload_libraries only takes effect at server start.
    const admin = new pg.Client({ connectionString: embedded.adminUrl });
    await admin.connect();
    await admin.query(`alter system set shared_preload_libraries = 'pg_stat_statements'`);
    await admin.query(`alter system set pg_stat_statements.track_utility = off`);
    // Planning too: a statement planned anew at every execution costs there, not in its run time.
    await admin.query(`alter system set pg_stat_statements.track_planning = on`);
    await admin.end();
    await embedded.stop();
    embedded = await start();
  }
  const running = embedded;
  onCleanup('stop the embedded PostgreSQL', () => running.stop());
  return embedded.url;
}

async function createExternalDatabase(databaseUrl: string, keep: boolean): Promise<string> {
  const name = `hookpost_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  if (!keep) {
    onCleanup(`drop the bench database ${name}`, async () => {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    });
  }
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** The parent of our backend is the postmaster, when the server runs on this machine. */
async function findPostmaster(pool: pg.Pool): Promise<number | null> {
  try {
    const { rows } = await pool.query<{ pid: number }>('select pg_backend_pid() as pid');
    const stat = readFileSync(`/proc/${rows[0]!.pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) && ppid > 1 ? ppid : null;
  } catch {
    return null;
  }
}
