/**
 * Hookpost as the user runs it: a real child process, configured only through its
 * environment, started as `npm start` starts it — `node <its flags> dist/server/main.js`, the
 * compiled server (built here first when stale, as `prestart` does) — minus npm's own
 * wrapper process, so the pid, the memory and the CPU profile we read are Hookpost's.
 *
 * Logs go to a file in the results folder at the product's log level (info), so the
 * per-delivery log lines cost what they cost in production.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { ensureServerBuilt } from '../../../server/tools/ensureBuilt.ts';
import { onCleanup } from './cleanup.ts';
import { freePort } from '../../support/ports.ts';
import { processCpuMs, processMemory } from './procStats.ts';
import { waitFor } from './waitFor.ts';

export type Role = 'api' | 'worker' | 'all';

export interface HookpostSettings {
  databaseUrl: string;
  /** Keys and other local state: one folder shared by every process of the run. */
  dataDir: string;
  adminToken: string;
  encryptionKey: string;
  logLevel: string;
  resultsDir: string;
  workerConcurrency: number | undefined;
  dbPoolSize: number | undefined;
  profile: boolean;
  nodeOptions: string | undefined;
  /** The bench pool, to see a worker's heartbeat (its readiness). */
  pool: pg.Pool;
  /** Further settings of Hookpost's own (HOOKPOST_*), for experiments comparing them. */
  env?: Record<string, string>;
}

export interface HookpostProcess {
  role: Role;
  label: string;
  pid: number;
  /** Base URL of the HTTP API (null for a worker). */
  url: string | null;
  /** Base URL of the operations listener (/healthz, /readyz, /metrics). */
  opsUrl: string;
  cpuMs(): number | null;
  /** Peak resident memory so far, MB (the kernel's VmHWM, or the highest sample). */
  peakRssMb(): number | null;
  /** Resident memory once ready, before any load, MB. */
  startRssMb: number | null;
  stop(): Promise<void>;
}

export const repoRoot = path.resolve(import.meta.dirname, '../../..');

/** Node's flags in `npm start` (package.json), read from there so the two cannot drift. */
const START_FLAGS = (
  JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: { start: string } }
).scripts.start
  .split(/\s+/)
  .filter((word) => word.startsWith('--'));

/** The start-up line of server/hookpost.ts that names the address (logged at info). */
const LISTENING = /"url":"(http:\/\/[^"]+)".*is listening on/;
/** The start-up line that names the operations listener (/healthz, /readyz, /metrics). */
const OPS_LISTENING = /"opsUrl":"(http:\/\/[^"]+)"/;

export async function startHookpostProcess(
  settings: HookpostSettings,
  role: Role,
  label: string,
): Promise<HookpostProcess> {
  // Port 0 and the address read back from the log: a port picked here and handed over could
  // be taken by another program first (the machine is shared), and /readyz would then be
  // answered by someone else's server. Without info-level logs, fall back to picking one.
  const readsLog = ['trace', 'debug', 'info'].includes(settings.logLevel);
  const port = role === 'worker' || readsLog ? 0 : await freePort();
  const opsPort = readsLog ? 0 : await freePort();
  const logFile = path.join(settings.resultsDir, 'logs', `${label}.log`);
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !name.startsWith('HOOKPOST_') && !['DATABASE_URL', 'PORT', 'HOST', 'LOG_LEVEL'].includes(name),
    ),
  );
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    DATABASE_URL: settings.databaseUrl,
    HOST: '127.0.0.1',
    PORT: String(port),
    HOOKPOST_OPS_PORT: String(opsPort),
    HOOKPOST_DATA_DIR: settings.dataDir,
    HOOKPOST_ADMIN_TOKEN: settings.adminToken,
    HOOKPOST_ENCRYPTION_KEY: settings.encryptionKey,
    HOOKPOST_ALLOWED_TARGETS: '127.0.0.1',
    LOG_LEVEL: settings.logLevel,
    HOOKPOST_LOG_PRETTY: 'false',
    ...(settings.workerConcurrency ? { HOOKPOST_WORKER_CONCURRENCY: String(settings.workerConcurrency) } : {}),
    ...(settings.dbPoolSize ? { HOOKPOST_DB_POOL_SIZE: String(settings.dbPoolSize) } : {}),
    ...(settings.nodeOptions ? { NODE_OPTIONS: settings.nodeOptions } : {}),
    ...settings.env,
  };
  // One folder per process: Node writes a profile per thread, named with the thread id;
  // the main thread's has id 0.
  const nodeArgs = settings.profile
    ? ['--cpu-prof', '--cpu-prof-dir', path.join(settings.resultsDir, 'profiles', label)]
    : [];
  const log = openSync(logFile, 'a');
  ensureServerBuilt(() => {});
  const child: ChildProcess = spawn(
    process.execPath,
    [...START_FLAGS, ...nodeArgs, 'dist/server/main.js', '--role', role],
    {
      cwd: repoRoot,
      env,
      stdio: ['ignore', log, log],
    },
  );
  closeSync(log);
  const pid = child.pid!;
  let exitCode: number | null = null;
  const exited = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exitCode = code ?? (signal ? 128 : -1);
      resolve();
    }),
  );

  let sampledPeak = 0;
  const sampler = setInterval(() => {
    const memory = processMemory(pid);
    if (memory) sampledPeak = Math.max(sampledPeak, memory.rssMb);
  }, 500);
  sampler.unref();

  let lastPeak: number | null = null;
  const stop = async () => {
    if (exitCode === null) {
      lastPeak = peak();
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    }
    clearInterval(sampler);
  };
  const dropCleanup = onCleanup(`stop Hookpost ${label}`, stop);
  const peak = () => {
    const memory = processMemory(pid);
    if (!memory) return lastPeak;
    return Math.max(memory.peakRssMb, sampledPeak);
  };

  let url: string | null = role === 'worker' ? null : `http://127.0.0.1:${port}`;
  let opsUrl = `http://127.0.0.1:${opsPort}`;
  const failedToStart = () =>
    exitCode !== null ? `Hookpost ${label} exited with code ${exitCode} while starting; see logs/${label}.log.` : null;
  try {
    if (role !== 'worker' && readsLog) {
      url = await waitFor(
        `Hookpost ${label} to say where it listens`,
        async () => {
          const problem = failedToStart();
          if (problem) throw new Error(problem);
          return LISTENING.exec(await readFile(logFile, 'utf8').catch(() => ''))?.[1] ?? null;
        },
        { timeoutMs: 60_000, intervalMs: 100 },
      );
    }
    if (readsLog) {
      opsUrl = await waitFor(
        `Hookpost ${label} to say where its operations endpoints are`,
        async () => {
          const problem = failedToStart();
          if (problem) throw new Error(problem);
          return OPS_LISTENING.exec(await readFile(logFile, 'utf8').catch(() => ''))?.[1] ?? null;
        },
        { timeoutMs: 60_000, intervalMs: 100 },
      );
    }
    if (url) {
      const base = url;
      await waitFor(
        `Hookpost ${label} to answer /readyz`,
        async () => {
          const problem = failedToStart();
          if (problem) throw new Error(problem);
          return fetch(`${base}/readyz`).then(
            (r) => r.ok,
            () => false,
          );
        },
        { timeoutMs: 60_000, intervalMs: 100 },
      );
    }
    if (role !== 'api') {
      // A worker is ready once it recorded its first heartbeat (server/worker/recovery.ts).
      await waitFor(
        `Hookpost ${label}'s worker heartbeat`,
        async () => {
          const problem = failedToStart();
          if (problem) throw new Error(problem);
          const { rowCount } = await settings.pool.query('select 1 from worker_heartbeat where pid = $1', [pid]);
          return (rowCount ?? 0) > 0;
        },
        { timeoutMs: 60_000, intervalMs: 100 },
      );
    }
  } catch (error) {
    await stop();
    dropCleanup();
    throw error;
  }

  return {
    role,
    label,
    pid,
    url,
    opsUrl,
    startRssMb: processMemory(pid)?.rssMb ?? null,
    cpuMs: () => processCpuMs(pid),
    peakRssMb: peak,
    async stop() {
      await stop();
      dropCleanup();
    },
  };
}
