/**
 * A misconfigured Hookpost says what is wrong, naming each variable, and exits 1 before
 * it starts anything: no database connection, no embedded PostgreSQL, no port.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, test } from 'vitest';

const root = path.resolve(import.meta.dirname, '..');
const folders: string[] = [];
afterAll(async () => {
  for (const folder of folders) await fs.rm(folder, { recursive: true, force: true });
});

/** Runs the compiled server as `npm start` does; resolves with its exit code and output. */
async function start(env: Record<string, string>) {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'hookpost-config-errors-'));
  folders.push(dataDir);
  const result = await promisify(execFile)(process.execPath, ['dist/server/main.js', '--role', 'all'], {
    cwd: root,
    env: { PATH: process.env.PATH, HOOKPOST_DATA_DIR: dataDir, PORT: '0', ...env },
    // Should it start after all, SIGTERM stops it cleanly (and its embedded PostgreSQL).
    timeout: 30_000,
    killSignal: 'SIGTERM',
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
  return { ...result, dataDir };
}

test('a MySQL URL and a bad CIDR are both reported, and nothing is started', async () => {
  const { code, stderr, dataDir } = await start({
    DATABASE_URL: 'mysql://hookpost:hookpost@127.0.0.1:3306/hookpost',
    HOOKPOST_ALLOWED_TARGETS: '10.0.0.0/33',
  });
  expect(code).toBe(1);
  expect(stderr).toContain('DATABASE_URL: must be a PostgreSQL URL');
  expect(stderr).toContain('HOOKPOST_ALLOWED_TARGETS: "10.0.0.0/33" is not a valid CIDR range');
  expect(await fs.readdir(dataDir)).toEqual([]);
});

test('without DATABASE_URL, a bad encryption key stops Hookpost before the embedded PostgreSQL starts', async () => {
  const { code, stderr, dataDir } = await start({ HOOKPOST_ENCRYPTION_KEY_FILE: path.join(root, 'package.json') });
  expect(code).toBe(1);
  expect(stderr).toContain('HOOKPOST_ENCRYPTION_KEY (from HOOKPOST_ENCRYPTION_KEY_FILE): must be 32 bytes in base64');
  // The embedded PostgreSQL's cluster and password would live here.
  expect(await fs.readdir(dataDir)).toEqual([]);
});
