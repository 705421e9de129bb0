/**
 * Once per test run: a PostgreSQL server (TEST_DATABASE_URL's, or an embedded one in a
 * temporary folder) and a template database with every migration applied. Each test
 * file then clones its own database from the template (see database.ts), which takes
 * milliseconds.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../server/db/embeddedPostgres.ts';
import { migrate } from '../../server/db/migrate.ts';
import { createPool } from '../../server/db/pool.ts';
import { createLogger } from '../../server/logger.ts';
import { ensureServerBuilt } from '../../server/tools/ensureBuilt.ts';
import { ensureDashboardBuilt } from '../../web/scripts/ensureBuilt.ts';
import { ensureClientBuilt } from './clientBuild.ts';
import { freePort } from './ports.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string;
    templateDatabase: string;
  }
}

export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export default async function setup(project: TestProject) {
  // Tests that start real processes run what `npm start` runs: the compiled server and
  // the built dashboard. Built once here, not by test files racing each other.
  ensureServerBuilt(() => {});
  ensureDashboardBuilt(() => {});
  ensureClientBuilt();
  const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'warn', pretty: false });
  let embedded: EmbeddedPostgres | undefined;
  let dataDir: string | undefined;
  let adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'hookpost-test-pg-'));
    await fs.chmod(dataDir, 0o755); // as root, PostgreSQL runs as "postgres" and must reach it
    embedded = await startEmbeddedPostgres({ dataDir, port: await freePort(), logger, ephemeral: true });
    adminUrl = embedded.adminUrl;
  }

  const templateDatabase = `hookpost_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${templateDatabase}`);
  await admin.query(`create database ${templateDatabase}`);
  const pool = createPool({
    connectionString: databaseUrl(adminUrl, templateDatabase),
    max: 3,
    applicationName: 'hookpost-test-setup',
    logger,
  });
  await migrate(pool, logger);
  await pool.end();

  project.provide('adminUrl', adminUrl);
  project.provide('templateDatabase', templateDatabase);

  return async () => {
    // Test files drop their own databases; this sweeps what a crashed file left behind.
    const { rows } = await admin.query<{ datname: string }>(
      `select datname from pg_database where datname like 'hookpost_test_${process.pid}_%'`,
    );
    for (const { datname } of rows) await admin.query(`drop database if exists ${datname} with (force)`);
    await admin.query(`drop database if exists ${templateDatabase} with (force)`);
    await admin.end();
    await embedded?.stop();
    if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
  };
}
