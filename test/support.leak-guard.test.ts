/**
 * The leak guard (test/support/leakGuard.ts): a test file that leaves a Hookpost, a
 * Hookpost process or a receiver running fails, naming it, and what it left is stopped.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { startReceiver } from './support/receiver.ts';
import { stillRunning, stopLeftovers, track } from './support/running.ts';

test('a receiver is running from its start to its close', async () => {
  const receiver = await startReceiver();
  expect(stillRunning()).toEqual([`receiver ${receiver.url}`]);
  await receiver.close();
  expect(stillRunning()).toEqual([]);
});

test('what is left running is named and stopped', async () => {
  const receiver = await startReceiver();
  expect(await stopLeftovers()).toEqual([`receiver ${receiver.url}`]);
  expect(stillRunning()).toEqual([]);
  await expect(fetch(receiver.url)).rejects.toThrow();
});

test('a process already asked to exit is not a leak once it exits within the grace time', async () => {
  let exit!: () => void;
  const exited = new Promise<void>((resolve) => (exit = resolve));
  const stop = track({ what: 'exiting', stop: async () => {}, stopping: () => exited });
  setTimeout(() => {
    stop();
    exit();
  }, 50);
  expect(await stopLeftovers(5_000)).toEqual([]);

  let stopped = false;
  track({
    what: 'stuck',
    stop: async () => void (stopped = true),
    stopping: () => new Promise(() => {}),
  });
  expect(await stopLeftovers(50)).toEqual(['stuck']);
  expect(stopped).toBe(true);
});

test('in a real run, the file that leaks fails and the tidy one passes', async () => {
  const root = path.resolve(import.meta.dirname, '..');
  const report = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'hookpost-leak-guard-')), 'report.json');
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST')));
  const child = spawn(
    process.execPath,
    [
      path.join(root, 'node_modules/vitest/vitest.mjs'),
      'run',
      '--config',
      'test/support/fixtures/vitest.config.ts',
      '--reporter=json',
      `--outputFile=${report}`,
    ],
    { cwd: root, env, stdio: 'ignore' },
  );
  const code = await new Promise((resolve) => child.on('exit', resolve));
  const results = JSON.parse(await fs.readFile(report, 'utf8')) as {
    testResults: { name: string; status: string; message: string }[];
  };
  await fs.rm(path.dirname(report), { recursive: true, force: true });
  expect(code).toBe(1);
  const byFile = Object.fromEntries(results.testResults.map((file) => [path.basename(file.name), file]));
  expect(byFile['closes-its-receiver.fixture.ts']?.status).toBe('passed');
  expect(byFile['leaves-a-receiver.fixture.ts']?.status).toBe('failed');
  expect(byFile['leaves-a-receiver.fixture.ts']?.message).toMatch(
    /This test file left running: receiver http:\/\/127\.0\.0\.1:\d+\./,
  );
});
