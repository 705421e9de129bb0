/**
 * Hookpost as a real separate process, started as `npm start` starts it (the compiled
 * server, `node dist/server/main.js`, built by the global setup), for tests that need a
 * second worker, a SIGKILL, or a real SIGTERM. Its JSON log lines are kept for
 * assertions.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TEST_ADMIN_TOKEN, TEST_ENCRYPTION_KEY } from './hookpost.ts';
import { track } from './running.ts';

export interface HookpostProcess {
  child: ChildProcess;
  logs: { msg: string; [key: string]: unknown }[];
  /** What it wrote to stderr (a crash's stack trace). */
  stderr(): string;
  /** Resolves with the first log line whose message matches. */
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<{ msg: string }>;
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
}

export async function spawnHookpost(options: {
  databaseUrl: string;
  role: 'all' | 'api' | 'worker';
  env?: Record<string, string>;
}): Promise<HookpostProcess> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'hookpost-proc-'));
  const child = spawn(process.execPath, ['dist/server/main.js', '--role', options.role], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    env: {
      PATH: process.env.PATH,
      DATABASE_URL: options.databaseUrl,
      HOOKPOST_DATA_DIR: dataDir,
      HOOKPOST_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      HOOKPOST_ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      HOOKPOST_ALLOWED_TARGETS: '127.0.0.0/8,::1',
      HOOKPOST_LOG_PRETTY: 'false',
      PORT: '0',
      HOOKPOST_OPS_PORT: '0',
      LOG_LEVEL: 'info',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: HookpostProcess['logs'] = [];
  const waiters = new Set<() => void>();
  let pending = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line));
      } catch {
        logs.push({ msg: line });
      }
    }
    for (const wake of waiters) wake();
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const stopped = track({
    what: `Hookpost process ${child.pid} (--role ${options.role})`,
    stop: () => {
      child.kill('SIGKILL');
      return exited;
    },
    // Sent a signal by the test: on its way out, not left running.
    stopping: () => (child.killed ? exited : undefined),
  });
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      stopped();
      for (const wake of waiters) wake();
      void fs.rm(dataDir, { recursive: true, force: true });
      resolve(code);
    }),
  );

  return {
    child,
    logs,
    stderr: () => stderr,
    exited,
    kill(signal) {
      child.kill(signal);
    },
    waitForLog(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = logs.find((line) => pattern.test(line.msg));
          if (found) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(found);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            waiters.delete(check);
            clearTimeout(timer);
            reject(
              new Error(
                `Hookpost exited before logging ${pattern}. stderr: ${stderr}\nlogs: ${logs.map((l) => l.msg).join('\n')}`,
              ),
            );
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`No log line matching ${pattern} within ${timeoutMs} ms. stderr: ${stderr}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}
