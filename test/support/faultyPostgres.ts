/**
 * A PostgreSQL of the test's own (the embedded one, in a temporary folder) that the test
 * can restart, fast or immediately (a crash: no checkpoint, in-flight transactions lost),
 * take down for a while, or freeze (SIGSTOP on the postmaster and its backends) — while
 * the Hookpost processes under test keep running and must cope on their own.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../server/db/embeddedPostgres.ts';
import { createLogger } from '../../server/logger.ts';
import { freePort } from './ports.ts';

export interface FaultyPostgres {
  /** The `hookpost` database. */
  url: string;
  /** Restarts the server; resolves when it accepts connections again. */
  restart(mode: 'fast' | 'immediate', downForMs?: number): Promise<void>;
  /** Stops every PostgreSQL process for `ms`, then lets them go on. */
  freeze(ms: number): Promise<void>;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The postmaster and every process it started. */
function processesOf(postmaster: number): number[] {
  const children = spawnSync('pgrep', ['-P', String(postmaster)], { encoding: 'utf8' }).stdout;
  return [postmaster, ...children.split('\n').filter(Boolean).map(Number)];
}

export async function startFaultyPostgres(): Promise<FaultyPostgres> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'hookpost-faulty-pg-'));
  await fs.chmod(dataDir, 0o755); // as root, PostgreSQL runs as "postgres" and must reach it
  const port = await freePort();
  const logger = createLogger({ level: 'silent', pretty: false });
  const start = () => startEmbeddedPostgres({ dataDir, port, logger, database: 'hookpost' });
  let server: EmbeddedPostgres = await start();

  return {
    url: server.url,
    async restart(mode, downForMs = 0) {
      if (mode === 'fast') await server.stop();
      else {
        // SIGQUIT is PostgreSQL's immediate shutdown: like a crash, recovery runs at start.
        process.kill(server.pid, 'SIGQUIT');
        while (alive(server.pid)) await sleep(20);
      }
      await sleep(downForMs);
      server = await start();
    },
    async freeze(ms) {
      const frozen = processesOf(server.pid);
      for (const pid of frozen) process.kill(pid, 'SIGSTOP');
      await sleep(ms);
      for (const pid of frozen) if (alive(pid)) process.kill(pid, 'SIGCONT');
    },
    async stop() {
      await server.stop();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}
