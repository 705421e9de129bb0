/**
 * Crash recovery for worker processes. graphile-worker only releases the jobs of a dead
 * worker after 4 hours; Hookpost promises seconds. Every worker process records a
 * heartbeat under its graphile-worker pool id (the `locked_by` of the jobs it holds)
 * and, on the same timer, looks for jobs locked by pools whose heartbeat stopped: those
 * are unlocked with graphile-worker's `forceUnlockWorkers`, so any live worker runs them
 * again. The delivery task's fencing makes that safe (see delivery/deliverJob.ts).
 *
 * A pool that died before its first heartbeat leaves jobs locked by an id no heartbeat
 * ever named. Finding those scans the job table, so that slower sweep runs every
 * `orphanSweepIntervalMs` (and at start), not at every beat.
 */
import os from 'node:os';
import type { WorkerUtils } from 'graphile-worker';
import type pg from 'pg';
import { coerceError } from '../errors.ts';
import type { Logger } from '../logger.ts';

export interface RecoveryOptions {
  pool: pg.Pool;
  workerUtils: WorkerUtils;
  workerId: string;
  intervalMs: number;
  staleAfterMs: number;
  /** How often to look for jobs locked by pools that never beat. Default 60 s. */
  orphanSweepIntervalMs?: number;
  logger: Logger;
}

export interface Recovery {
  /** Runs one heartbeat and sweep now (tests, and the first beat at start). */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

export function startRecovery(options: RecoveryOptions): Recovery {
  const { pool, workerId, logger } = options;
  const staleSeconds = options.staleAfterMs / 1000;

  const beat = () =>
    pool.query(
      `insert into worker_heartbeat (worker_id, hostname, pid) values ($1, $2, $3)
       on conflict (worker_id) do update set beat_at = now()`,
      [workerId, os.hostname(), process.pid],
    );

  const orphanSweepIntervalMs = options.orphanSweepIntervalMs ?? 60_000;
  let lastOrphanSweep = 0;

  const sweep = async () => {
    const { rows: gone } = await pool.query<{ worker_id: string }>(
      `delete from worker_heartbeat where beat_at < now() - make_interval(secs => $1) returning worker_id`,
      [staleSeconds],
    );
    const dead = new Set(gone.map((r) => r.worker_id));
    if (Date.now() - lastOrphanSweep >= orphanSweepIntervalMs) {
      lastOrphanSweep = Date.now();
      const { rows: orphans } = await pool.query<{ locked_by: string }>(
        `select distinct locked_by from graphile_worker.jobs
          where locked_by is not null
            and locked_at < now() - make_interval(secs => $1)
            and locked_by not in (select worker_id from worker_heartbeat)`,
        [staleSeconds],
      );
      for (const row of orphans) dead.add(row.locked_by);
    }
    if (dead.size > 0) {
      await options.workerUtils.forceUnlockWorkers([...dead]);
      logger.warn(
        { deadWorkers: [...dead] },
        `Released the jobs of ${dead.size} worker(s) that stopped beating; live workers will run them again.`,
      );
    }
  };

  const tick = async () => {
    await beat();
    await sweep();
  };

  let running: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    running = tick().catch((error) =>
      logger.warn({ err: coerceError(error) }, 'Worker heartbeat failed; will try again.'),
    );
  }, options.intervalMs);
  timer.unref();

  return {
    tick,
    async stop() {
      clearInterval(timer);
      await running;
      await pool.query('delete from worker_heartbeat where worker_id = $1', [workerId]).catch(() => undefined);
    },
  };
}
