/**
 * The worker role: graphile-worker running the `deliver` task, kept alive.
 *
 * graphile-worker's runner can end on its own: its batched job completion shuts the
 * whole pool down at the first database error. Hookpost treats any end it did not ask
 * for as loud and temporary: it logs it at error level, reports not ready (/readyz,
 * `hookpost_worker_up`), waits for the tasks of the dead runner to finish (their attempt
 * records wait out the outage: attemptWriter.ts), releases what that runner held
 * (its liveness, its locked jobs), and starts a new runner, retrying with backoff until
 * the database is back. No person has to restart anything.
 *
 * Beside the runner, on the heartbeat timer: this worker's beat (liveness.ts), the sweep
 * for dead workers (recovery.ts) and, less often, the reconciler of stranded deliveries
 * (deliveries/reconcile.ts) and of erasures without a job (erasures/strandedErasures.ts).
 * Every minute, one worker prunes what retention lets go (retention/pruneTask.ts); bulk replays and erasures run as jobs of their own. Stopping
 * is graceful: no new jobs, in-flight deliveries get `shutdownTimeoutMs` to finish, then
 * are aborted and recorded as such.
 */
import { EventEmitter } from 'node:events';
import { makeWorkerUtils, run, type Runner, type WorkerEvents, type WorkerUtils } from 'graphile-worker';
import type pg from 'pg';
import type { Config } from '../config.ts';
import { DELIVER_TASK } from '../deliveries/deliverJobs.ts';
import { makeReconciler } from '../deliveries/reconcile.ts';
import { createAlertSender } from '../alerts/systemMailbox.ts';
import { makeDeliverTask, type DeliverTaskDeps } from '../delivery/deliverTask.ts';
import { createHealthKeeper } from '../health/healthKeeper.ts';
import { createSendGate } from '../health/sendGate.ts';
import { makeReleaseTask, RELEASE_TASK } from '../health/releaseTask.ts';
import { makeReplayTask, REPLAY_TASK } from '../replays/replayTask.ts';
import { ERASURE_TASK, makeErasureTask } from '../erasures/erasureTask.ts';
import { resumeStrandedErasures } from '../erasures/strandedErasures.ts';
import { makePruneTask, PRUNE_TASK, pruneCronItems } from '../retention/pruneTask.ts';
import { createFairShare, shareOf } from '../delivery/fairShare.ts';
import { createPutBack } from '../delivery/putBack.ts';
import { coerceError } from '../errors.ts';
import { toGraphileLogger, type Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { registerLiveness, type Liveness } from './liveness.ts';
import { registerQueueGauges } from './queueGauges.ts';
import { makeSweeper } from './recovery.ts';

/**
 * Job slots: twice the request slots (HOOKPOST_WORKER_CONCURRENCY), so jobs waiting for
 * their endpoint's turn (fairShare.ts) — they hold no request slot and no connection —
 * do not take running jobs' places.
 */
const jobSlotsOf = (requestSlots: number) => requestSlots * 2;

export interface WorkerHandle {
  /** The running graphile-worker pool's id (the `locked_by` of its jobs), or null while none runs. */
  readonly workerId: string | null;
  /** Whether a runner is running now: false while one is being replaced. */
  isRunning(): boolean;
  stop(): Promise<void>;
}

export interface WorkerOptions {
  config: Config;
  logger: Logger;
  metrics: Metrics;
  /** A pool for graphile-worker and the worker's own bookkeeping. */
  queuePool: pg.Pool;
  /** For the liveness lock's own connection. */
  databaseUrl: string;
  deliver: Omit<DeliverTaskDeps, 'enter' | 'fairShare' | 'putBack' | 'health' | 'gate'>;
  /** Durable writes (alerts, disabling endpoints). */
  pool: pg.Pool;
  /** Told when an endpoint is disabled. */
  routes: { changed(mailboxId: string): void };
}

/** One graphile-worker pool and what Hookpost keeps beside it. */
interface RunState {
  poolId: string;
  runner?: Runner;
  liveness: Promise<Liveness>;
  /** Jobs started and not finished. */
  active: number;
  idle: Set<() => void>;
  declaredDead: boolean;
  /** Set once Hookpost gave up on it and started a replacement. */
  replaced: boolean;
}

const RESTART_DELAYS_MS = [500, 1_000, 2_000, 5_000];

export async function startWorker(options: WorkerOptions): Promise<WorkerHandle> {
  const { config, logger, metrics, queuePool } = options;
  registerQueueGauges(metrics.registry, queuePool);
  // graphile-worker 0.17's local queue, failing to hand its jobs back while its pool shuts
  // down in a database outage, rejects a promise nobody handles, which would end the
  // process. Those jobs stay locked by the dead pool, and its replacement releases them
  // (see `replace`), so that one is logged and let go; anything else ends the process as
  // Node would.
  const onUnhandledRejection = (reason: unknown) => {
    if (reason instanceof Error && reason.message.startsWith('Error occurred whilst returning jobs from local queue')) {
      logger.warn(
        { err: reason },
        'A failed delivery worker could not return its jobs; its replacement releases them.',
      );
      return;
    }
    throw reason;
  };
  process.on('unhandledRejection', onUnhandledRejection);
  const runs = new Map<string, RunState>();
  let current: RunState | null = null;
  let stopping = false;

  let utils: Promise<WorkerUtils> | null = null;
  const workerUtils = () =>
    (utils ??= makeWorkerUtils({ pgPool: queuePool, logger: toGraphileLogger(logger) }).catch((error: unknown) => {
      utils = null;
      throw error;
    }));

  const fairShare = createFairShare({
    slots: config.workerConcurrency,
    share: shareOf(config.workerConcurrency, config.endpointMaxShare),
    jobSlots: jobSlotsOf(config.workerConcurrency),
  });
  const alerts = createAlertSender(options.pool);
  const gate = createSendGate({ db: options.deliver.claimPool, logger });
  const health = createHealthKeeper({
    pool: options.pool,
    claimPool: options.deliver.claimPool,
    changes: options.deliver.changes,
    routes: options.routes,
    alerts,
    logger,
    gate,
  });
  const task = makeDeliverTask({
    ...options.deliver,
    fairShare,
    putBack: createPutBack({ db: queuePool, fairShare, logger }),
    health,
    gate,
    // A job is claimed only once its worker shows as alive, or another worker could take
    // its deliveries over as a dead one's; and a worker's jobs run elsewhere only once its
    // tasks are over (counted here: graphile-worker's own events are not always sent when
    // its pool is failing).
    enter: async (workerId) => {
      const state = runs.get(workerId);
      if (!state) throw new Error(`Worker ${workerId} is not known to this process.`);
      state.active++;
      const leave = () => {
        state.active--;
        if (state.active === 0) for (const wake of [...state.idle]) wake();
      };
      try {
        await state.liveness;
      } catch (error) {
        leave();
        throw error;
      }
      return leave;
    },
  });

  const launch = async (): Promise<RunState> => {
    const events: WorkerEvents = new EventEmitter();
    let state: RunState | undefined;
    events.on('pool:create', ({ workerPool }) => {
      state = {
        poolId: workerPool.id,
        liveness: registerLiveness({
          pool: queuePool,
          connectionString: options.databaseUrl,
          workerId: workerPool.id,
          logger,
        }),
        active: 0,
        idle: new Set(),
        declaredDead: false,
        replaced: false,
      };
      state.liveness.catch(() => undefined);
      runs.set(workerPool.id, state);
    });
    // A pool that starts shutting down on its own (a database error in its batched job
    // completion) may never finish doing so: it is replaced at once, not when it ends.
    events.on('pool:gracefulShutdown', ({ workerPool, message }) => {
      const shutting = runs.get(workerPool.id);
      if (shutting && shutting.runner && !stopping && !shutting.declaredDead) ended(shutting, new Error(message));
    });
    const runner = await run({
      pgPool: queuePool,
      concurrency: jobSlotsOf(config.workerConcurrency),
      pollInterval: config.workerPollIntervalMs,
      noHandleSignals: true,
      logger: toGraphileLogger(logger),
      events,
      gracefulShutdownAbortTimeout: config.shutdownTimeoutMs,
      taskList: {
        [DELIVER_TASK]: task,
        [RELEASE_TASK]: makeReleaseTask({ claimPool: options.deliver.claimPool, changes: options.deliver.changes }),
        [REPLAY_TASK]: makeReplayTask({
          pool: options.pool,
          changes: options.deliver.changes,
          alerts,
          perSecond: config.replayPerSecond,
        }),
        [PRUNE_TASK]: makePruneTask({ pool: options.pool, config, logger }),
        [ERASURE_TASK]: makeErasureTask({
          pool: options.pool,
          changes: options.deliver.changes,
          logger,
          perSecond: config.erasurePerSecond,
        }),
      },
      parsedCronItems: pruneCronItems,
      preset: {
        worker: {
          // Fetch (and lock) jobs a batch at a time and complete them in batches: the
          // queue's own round trips per job were most of its cost. What a crash or a
          // database error leaves locked is released by this file or recovery.ts.
          // A batch not run within 10 s (instead of graphile-worker's 5 minutes) goes back
          // to the database for any worker.
          // (Batches of the request slots' number: a local queue as large as the job slots
          // made graphile-worker's shutdown wait out its 10 s TTL.)
          localQueue: { size: config.workerConcurrency, ttl: 10_000 },
          completeJobBatchDelay: 0,
          failJobBatchDelay: 0,
        },
      },
    });
    if (!state) {
      await runner.stop();
      throw new Error('graphile-worker started without announcing its pool id.');
    }
    const started = state;
    started.runner = runner;
    try {
      await started.liveness;
    } catch (error) {
      await runner.stop().catch(() => undefined);
      runs.delete(started.poolId);
      throw error;
    }
    runner.promise.then(
      () => ended(started, null),
      (error: unknown) => ended(started, coerceError(error)),
    );
    return started;
  };

  const ended = (state: RunState, error: Error | null) => {
    if (stopping || state.replaced) return;
    state.replaced = true;
    if (current === state) current = null;
    metrics.workerUp.set(0);
    metrics.workerRunnerRestarts.inc();
    logger.error(
      { err: error ?? undefined, workerId: state.poolId },
      state.declaredDead
        ? `Delivery worker ${state.poolId} stopped: it was declared dead while cut off from the database. Starting a new one.`
        : `Delivery worker ${state.poolId} stopped unexpectedly${error ? `: ${error.message}` : ''}. Starting a new one.`,
    );
    void replace(state);
  };

  /** Releases a dead runner's holdings, then starts a new runner, retrying until it runs. */
  const replace = async (dead: RunState) => {
    await whenIdle(dead);
    for (let attempt = 0; !stopping; attempt++) {
      try {
        // Gone from the heartbeats first: its claims become free to take over, then its jobs.
        await queuePool.query('delete from worker_heartbeat where worker_id = $1', [dead.poolId]);
        await (await dead.liveness.catch(() => null))?.release();
        await (await workerUtils()).forceUnlockWorkers([dead.poolId]);
        runs.delete(dead.poolId);
        break;
      } catch (error) {
        await pause(attempt, `release the jobs of worker ${dead.poolId}`, error);
      }
    }
    for (let attempt = 0; !stopping && !current; attempt++) {
      try {
        current = await launch();
        metrics.workerUp.set(1);
        logger.info(
          { workerId: current.poolId },
          `Delivery worker ${current.poolId} started (replacing ${dead.poolId}).`,
        );
      } catch (error) {
        await pause(attempt, 'start a new delivery worker', error);
      }
    }
  };

  const pause = async (attempt: number, what: string, error: unknown) => {
    const delayMs = RESTART_DELAYS_MS[Math.min(attempt, RESTART_DELAYS_MS.length - 1)]!;
    logger.warn({ err: coerceError(error), retryInMs: delayMs }, `Could not ${what} yet; retrying.`);
    await new Promise((resolve) => setTimeout(resolve, delayMs).unref());
  };

  const whenIdle = (state: RunState) =>
    state.active === 0
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const wake = () => {
            state.idle.delete(wake);
            resolve();
          };
          state.idle.add(wake);
        });

  // The heartbeat timer: beat, sweep for dead workers, and now and then reconcile.
  const sweeper = makeSweeper({ pool: queuePool, workerUtils, staleAfterMs: config.workerStaleAfterMs, logger });
  const reconciler = makeReconciler(
    { pool: queuePool, changes: options.deliver.changes },
    { settledAfterMs: config.reconcileAfterMs },
  );
  let connectedSince = Date.now();
  let connected = true;
  let lastReconcile = Date.now();
  const tick = async () => {
    try {
      const running = current;
      if (running) {
        const alive = await (await running.liveness).beat();
        if (!alive && !running.declaredDead) {
          running.declaredDead = true;
          // Its jobs may already run elsewhere: stop taking jobs, and start afresh under a new id.
          void running.runner?.stop().catch(() => undefined);
          ended(running, null);
        }
      }
      if (!connected) {
        connected = true;
        connectedSince = Date.now();
      }
      await sweeper.sweep(connectedSince);
      await health.tick();
      if (Date.now() - lastReconcile >= config.reconcileIntervalMs) {
        lastReconcile = Date.now();
        const result = await reconciler.reconcile();
        if (result.requeued.length || result.failed.length) {
          logger.warn(
            { requeued: result.requeued.length, failed: result.failed.length },
            `Reconciled stranded deliveries: ${result.requeued.length} put back in line, ${result.failed.length} ended failed (their job gave up).`,
          );
        }
        for (const erasure of await resumeStrandedErasures(queuePool))
          logger.warn(
            { erasureId: erasure.id, lastError: erasure.lastError },
            `Bulk erasure ${erasure.id} was running without a job (${erasure.lastError ? `its job gave up: ${erasure.lastError}` : 'its job was gone'}); it has one again.`,
          );
      }
    } catch (error) {
      connected = false;
      logger.warn({ err: coerceError(error) }, 'Worker heartbeat failed; will try again.');
    }
  };
  let ticking: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    ticking = ticking.then(tick);
  }, config.heartbeatIntervalMs);
  timer.unref();

  current = await launch();
  metrics.workerUp.set(1);
  await tick();
  logger.info(
    { workerId: current.poolId, concurrency: config.workerConcurrency },
    `Delivery worker ${current.poolId} started.`,
  );

  return {
    get workerId() {
      return current?.poolId ?? null;
    },
    isRunning: () => current !== null,
    async stop() {
      stopping = true;
      process.off('unhandledRejection', onUnhandledRejection);
      clearInterval(timer);
      await ticking;
      const running = current;
      logger.info(`Delivery worker ${running?.poolId ?? ''} stopping: no new jobs; waiting for in-flight deliveries.`);
      await running?.runner?.stop();
      gate.stop();
      await Promise.all([...runs.values()].map(async (state) => (await state.liveness.catch(() => null))?.release()));
      if (utils) await (await utils.catch(() => null))?.release();
      metrics.workerUp.set(0);
      logger.info(`Delivery worker ${running?.poolId ?? ''} stopped.`);
    },
  };
}
