/**
 * Crash recovery for delivery workers. graphile-worker only releases the jobs of a dead
 * worker after 4 hours; Hookpost promises seconds. Every worker process sweeps, on its
 * heartbeat timer, for workers that died (see liveness.ts for what that means): their
 * heartbeat rows are deleted, which frees the deliveries they had claimed
 * (deliveries/claim.ts), and their jobs are unlocked with graphile-worker's
 * `forceUnlockWorkers`, so any live worker runs them again.
 *
 * No false deaths: a worker is dead only when its beat is stale *and* its liveness lock
 * is gone, and a sweeper judges only after it has itself been connected for a whole
 * stale period (after an outage, every beat looks stale until the workers are back).
 *
 * A worker that died before its first heartbeat leaves jobs locked by an id no row ever
 * named. Finding those scans the job table, so that slower sweep runs every
 * `orphanSweepIntervalMs` (and at the first chance), not at every beat.
 */
import type { WorkerUtils } from 'graphile-worker';
import type pg from 'pg';
import type { Logger } from '../logger.ts';
import { LIVENESS_LOCK_NAMESPACE } from './liveness.ts';

export interface SweepOptions {
  pool: pg.Pool;
  workerUtils: () => Promise<WorkerUtils>;
  staleAfterMs: number;
  /** How often to look for jobs locked by workers that never beat. Default 60 s. */
  orphanSweepIntervalMs?: number;
  logger: Logger;
}

export interface Sweeper {
  /**
   * Releases what dead workers hold, if this process has been connected long enough to
   * judge. `connectedSince` is when its database connection last came back (ms).
   */
  sweep(connectedSince: number): Promise<string[]>;
}

const deadWorkers = `
  delete from worker_heartbeat h
   where h.beat_at < now() - make_interval(secs => $1)
     and not exists (
       select 1 from pg_locks l
        where l.locktype = 'advisory' and l.granted
          and l.database = (select oid from pg_database where datname = current_database())
          and l.classid = ${LIVENESS_LOCK_NAMESPACE}::oid and l.objid = h.lock_key::oid and l.objsubid = 2)
 returning h.worker_id`;

const orphanedLocks = `
  select distinct locked_by from graphile_worker._private_jobs
   where locked_by is not null
     and locked_at < now() - make_interval(secs => $1)
     and locked_by not in (select worker_id from worker_heartbeat)`;

export function makeSweeper(options: SweepOptions): Sweeper {
  const { pool, logger } = options;
  const staleSeconds = options.staleAfterMs / 1000;
  const orphanSweepIntervalMs = options.orphanSweepIntervalMs ?? 60_000;
  let lastOrphanSweep = 0;

  return {
    async sweep(connectedSince) {
      if (Date.now() - connectedSince < options.staleAfterMs) return [];
      const { rows: gone } = await pool.query<{ worker_id: string }>(deadWorkers, [staleSeconds]);
      const dead = new Set(gone.map((r) => r.worker_id));
      if (Date.now() - lastOrphanSweep >= orphanSweepIntervalMs) {
        lastOrphanSweep = Date.now();
        const { rows: orphans } = await pool.query<{ locked_by: string }>(orphanedLocks, [staleSeconds]);
        for (const row of orphans) dead.add(row.locked_by);
      }
      if (dead.size > 0) {
        await (await options.workerUtils()).forceUnlockWorkers([...dead]);
        logger.warn(
          { deadWorkers: [...dead] },
          `Released the jobs of ${dead.size} worker(s) that died; live workers will run them again.`,
        );
      }
      return [...dead];
    },
  };
}
