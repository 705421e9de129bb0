/**
 * How a delivery worker (one graphile-worker pool) shows that it lives, so that its jobs
 * and claims are taken over only when it is really dead:
 * - a session-level advisory lock on a connection of its own, held for as long as the
 *   worker runs. PostgreSQL drops it the moment that session ends (the process died, or
 *   its connection did), and never because the process was merely slow or paused;
 * - a heartbeat row (`worker_heartbeat`), beaten every few seconds, that names the lock.
 *
 * recovery.ts declares a worker dead only when both are gone: the beat is stale *and*
 * the lock is not held. After a database restart every lock is gone at once, so the
 * workers re-take theirs as soon as they reconnect, and the sweeper also waits a whole
 * stale period after its own reconnection before it judges anyone.
 *
 * A worker that finds its row deleted was declared dead (it lost its connection for
 * longer than the stale period): its jobs may be running elsewhere, so it must stop.
 */
import { randomInt } from 'node:crypto';
import os from 'node:os';
import pg from 'pg';
import { coerceError } from '../errors.ts';
import type { Logger } from '../logger.ts';

/** The advisory lock namespace of worker liveness locks (`pg_advisory_lock(ns, key)`). */
export const LIVENESS_LOCK_NAMESPACE = 0x686f6f6b; // "hook"

export interface Liveness {
  workerId: string;
  /** Records a beat; false when the worker was declared dead (its row is gone). */
  beat(): Promise<boolean>;
  /** Leaves: the row is deleted and the lock released. */
  release(): Promise<void>;
}

export interface LivenessOptions {
  pool: pg.Pool;
  /** For the lock's own connection. */
  connectionString: string;
  workerId: string;
  logger: Logger;
}

/** Takes the lock and writes the heartbeat row; resolves once both are in place. */
export async function registerLiveness(options: LivenessOptions): Promise<Liveness> {
  const { pool, workerId, logger } = options;
  const lockKey = randomInt(0, 2 ** 31 - 1);
  const lock = await holdLock(options.connectionString, lockKey, workerId, logger);
  try {
    await pool.query(
      `insert into worker_heartbeat (worker_id, hostname, pid, lock_key) values ($1, $2, $3, $4)
       on conflict (worker_id) do update set beat_at = now(), lock_key = excluded.lock_key`,
      [workerId, os.hostname(), process.pid, lockKey],
    );
  } catch (error) {
    await lock.release();
    throw error;
  }
  return {
    workerId,
    async beat() {
      const { rowCount } = await pool.query('update worker_heartbeat set beat_at = now() where worker_id = $1', [
        workerId,
      ]);
      return rowCount === 1;
    },
    async release() {
      await pool.query('delete from worker_heartbeat where worker_id = $1', [workerId]).catch(() => undefined);
      await lock.release();
    },
  };
}

interface HeldLock {
  release(): Promise<void>;
}

/**
 * Holds `pg_advisory_lock(ns, key)` on a connection of its own. When that connection is
 * lost (a database restart), it reconnects with backoff and takes the lock again.
 */
async function holdLock(connectionString: string, key: number, workerId: string, logger: Logger): Promise<HeldLock> {
  let client: pg.Client | null = null;
  let released = false;
  let retryDelay = 250;
  let timer: NodeJS.Timeout | null = null;

  const connect = async (): Promise<void> => {
    const next = new pg.Client({
      connectionString,
      application_name: 'hookpost-liveness',
      // A partition is noticed within seconds, not at the kernel's two hours.
      keepAlive: true,
      keepAliveInitialDelayMillis: 5_000,
    });
    next.on('error', () => lost(next));
    next.on('end', () => lost(next));
    await next.connect();
    // An old session of ours may still hold the key (a partition PostgreSQL has not
    // noticed yet): try until it is ours.
    const { rows } = await next.query<{ locked: boolean }>('select pg_try_advisory_lock($1, $2) as locked', [
      LIVENESS_LOCK_NAMESPACE,
      key,
    ]);
    if (!rows[0]!.locked) {
      await next.end().catch(() => undefined);
      throw new Error(`The liveness lock of worker ${workerId} is still held by an earlier session.`);
    }
    if (released) {
      await next.end().catch(() => undefined);
      return;
    }
    client = next;
    retryDelay = 250;
  };

  const reconnect = () => {
    if (released || timer) return;
    timer = setTimeout(() => {
      timer = null;
      connect().catch((error) => {
        logger.warn(
          { err: coerceError(error), retryInMs: retryDelay },
          `Worker ${workerId} could not take its liveness lock again; retrying.`,
        );
        retryDelay = Math.min(retryDelay * 2, 5_000);
        reconnect();
      });
    }, retryDelay);
    timer.unref();
  };

  const lost = (which: pg.Client) => {
    if (client !== which || released) return;
    client = null;
    void which.end().catch(() => undefined);
    logger.warn(`Worker ${workerId} lost its liveness connection; taking the lock again.`);
    reconnect();
  };

  await connect();
  return {
    async release() {
      released = true;
      if (timer) clearTimeout(timer);
      const held = client;
      client = null;
      await held?.end().catch(() => undefined);
    },
  };
}
