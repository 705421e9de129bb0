/**
 * The worker role: graphile-worker running the `deliver` task, plus crash recovery.
 * Stopping is graceful: no new jobs, in-flight deliveries get `shutdownTimeoutMs` to
 * finish, then they are aborted and their jobs retried later by another run.
 */
import { EventEmitter } from 'node:events';
import { makeWorkerUtils, run, type WorkerEvents } from 'graphile-worker';
import type pg from 'pg';
import type { Config } from '../config.ts';
import { makeDeliverTask, type DeliverTaskDeps } from '../delivery/deliverTask.ts';
import { DELIVER_TASK } from '../deliveries/deliverJobs.ts';
import { toGraphileLogger, type Logger } from '../logger.ts';
import { startRecovery } from './recovery.ts';

export interface WorkerHandle {
  /** graphile-worker's pool id: the `locked_by` of the jobs this process holds. */
  workerId: string;
  stop(): Promise<void>;
}

export async function startWorker(options: {
  config: Config;
  logger: Logger;
  /** A pool for graphile-worker alone (job fetching, LISTEN for new jobs). */
  queuePool: pg.Pool;
  deliver: DeliverTaskDeps;
}): Promise<WorkerHandle> {
  const { config, logger } = options;
  const events: WorkerEvents = new EventEmitter();
  let workerId: string | undefined;
  events.on('pool:create', ({ workerPool }) => {
    workerId = workerPool.id;
  });

  const runner = await run({
    pgPool: options.queuePool,
    concurrency: config.workerConcurrency,
    pollInterval: config.workerPollIntervalMs,
    noHandleSignals: true,
    logger: toGraphileLogger(logger),
    events,
    gracefulShutdownAbortTimeout: config.shutdownTimeoutMs,
    taskList: { [DELIVER_TASK]: makeDeliverTask(options.deliver) },
    parsedCronItems: [],
    preset: {
      worker: {
        // Fetch (and lock) jobs a batch at a time and complete them in batches: the queue's
        // own round trips per job were most of its cost. A crash leaves the locked batch to
        // recovery.ts, which releases it within seconds.
        localQueue: { size: config.workerConcurrency },
        completeJobBatchDelay: 0,
        failJobBatchDelay: 0,
      },
    },
  });
  if (!workerId) throw new Error('graphile-worker started without announcing its pool id.');

  const workerUtils = await makeWorkerUtils({ pgPool: options.queuePool, logger: toGraphileLogger(logger) });
  const recovery = startRecovery({
    pool: options.queuePool,
    workerUtils,
    workerId,
    intervalMs: config.heartbeatIntervalMs,
    staleAfterMs: config.workerStaleAfterMs,
    logger,
  });
  await recovery.tick();
  logger.info({ workerId, concurrency: config.workerConcurrency }, `Delivery worker ${workerId} started.`);

  return {
    workerId,
    async stop() {
      logger.info(`Delivery worker ${workerId} stopping: no new jobs; waiting for in-flight deliveries.`);
      await runner.stop();
      await recovery.stop();
      await workerUtils.release();
      logger.info(`Delivery worker ${workerId} stopped.`);
    },
  };
}
