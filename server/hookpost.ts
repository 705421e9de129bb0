/**
 * Starts Hookpost in this process: the database (embedded when no DATABASE_URL), the
 * migrations, and the roles asked for (HTTP API, delivery worker, or both). Returns how
 * to stop it, which happens in a fixed, logged order: stop taking jobs and let in-flight
 * deliveries finish (bounded), close HTTP, close the pools, stop the embedded database.
 *
 * Each role's code is imported only when the role runs: a worker process never loads
 * the HTTP server, GraphQL or the dashboard, and an API process never loads the
 * delivery machinery (about 100 MB less for a worker).
 */
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { Dispatcher } from 'undici';
import { assertSameKeyEverywhere, loadEncryptionKey } from './auth/keyring.ts';
import { createSecretBox } from './auth/secretBox.ts';
import type { Config } from './config.ts';
import { startChangeBus } from './db/changeBus.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './db/embeddedPostgres.ts';
import { migrate } from './db/migrate.ts';
import { createPool } from './db/pool.ts';
import { createPrisma } from './db/prisma.ts';
import { createReadSide } from './db/readSide.ts';
import { createTargetPolicy } from './delivery/targetGuard.ts';
import { coerceError } from './errors.ts';
import { createEventWriter } from './ingest/eventWriter.ts';
import { createRouteCache } from './ingest/routeCache.ts';
import type { Logger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import { startOpsServer } from './ops/opsServer.ts';
import { makeReadiness } from './ops/readiness.ts';
import { createAlertSender } from './alerts/systemMailbox.ts';
import type { Runtime } from './runtime.ts';
import type { Tracing } from './tracing/tracing.ts';
import type { WorkerHandle } from './worker/runner.ts';

export interface Hookpost {
  runtime: Runtime;
  /** Where the HTTP API listens (null for a worker-only process). */
  url: string | null;
  /** Where /healthz, /readyz and /metrics are served. */
  opsUrl: string;
  app: FastifyInstance | null;
  worker: WorkerHandle | null;
  stop(): Promise<void>;
}

export async function startHookpost(config: Config, logger: Logger): Promise<Hookpost> {
  const steps: { name: string; run: () => Promise<unknown> }[] = [];
  const stop = async () => {
    for (const step of steps.reverse()) {
      try {
        logger.info(`Shutdown: ${step.name}.`);
        await step.run();
      } catch (error) {
        logger.error({ err: coerceError(error) }, `Shutdown step "${step.name}" failed.`);
      }
    }
  };

  try {
    // Started first and stopped last, so the spans of the last deliveries are sent.
    let tracing: Tracing | undefined;
    if (config.tracing) {
      const { startTracing } = await import('./tracing/tracing.ts');
      const started = await startTracing(config.tracing, {
        role: config.role,
        logger,
        shutdownTimeoutMs: config.shutdownTimeoutMs,
      });
      steps.push({ name: 'send the last spans', run: () => started.shutdown() });
      tracing = started;
    }

    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      const embedded: EmbeddedPostgres = await startEmbeddedPostgres({
        dataDir: config.dataDir,
        port: config.embeddedPostgresPort,
        logger,
      });
      steps.push({ name: 'stop the embedded database', run: () => embedded.stop() });
      databaseUrl = embedded.url;
      logger.info(
        { port: new URL(databaseUrl).port },
        'Using the embedded PostgreSQL (set DATABASE_URL to use your own).',
      );
    }

    const pool = createPool({
      connectionString: databaseUrl,
      max: config.dbPoolSize,
      applicationName: `hookpost-${config.role}`,
      logger,
    });
    steps.push({ name: 'close the database pool', run: () => pool.end() });
    await migrate(pool, logger);

    const key = await loadEncryptionKey({ configured: config.encryptionKey, dataDir: config.dataDir });
    await assertSameKeyEverywhere(pool, key);
    const prisma = createPrisma(pool);
    steps.push({ name: 'disconnect Prisma', run: () => prisma.$disconnect() });
    // Connections open only when a read needs one: a worker process opens none.
    const reads = createReadSide({
      connectionString: databaseUrl,
      max: config.readPoolMax,
      statementTimeoutMs: config.readStatementTimeoutMs,
      applicationName: `hookpost-${config.role}-reads`,
      logger,
    });
    steps.push({
      name: 'close the read pool',
      run: async () => {
        await reads.prisma.$disconnect();
        await reads.pool.end();
      },
    });

    // Only processes that serve subscribers listen; workers only publish.
    const changes = await startChangeBus({
      pool,
      listenUrl: config.role === 'worker' ? undefined : databaseUrl,
      logger,
    });
    steps.push({ name: 'close the change bus', run: () => changes.close() });

    let worker: WorkerHandle | null = null;
    const readiness = makeReadiness({ pool, worker: () => worker });
    const runtime: Runtime = {
      config,
      logger,
      pool,
      prisma,
      reads,
      secretBox: createSecretBox(key),
      targetPolicy: createTargetPolicy(config.allowedTargets),
      metrics: createMetrics(),
      changes,
      eventWriter: createEventWriter(pool, { idempotencyWindowHours: config.idempotencyWindowHours }),
      routes: createRouteCache({ db: pool, changes }),
      readiness,
      alerts: createAlertSender(pool),
      tracing,
    };

    const ops = await startOpsServer({
      host: config.opsHost,
      port: config.opsPort,
      readiness,
      registry: runtime.metrics.registry,
      metricsToken: config.metricsToken,
      logger,
    });
    steps.push({ name: 'close the operations listener', run: () => ops.close() });
    logger.info({ opsUrl: ops.url }, `Operations endpoints on ${ops.url} (/healthz, /readyz, /metrics).`);

    let app: FastifyInstance | null = null;
    let url: string | null = null;
    if (config.role !== 'worker') {
      const [{ bootstrapAdminToken }, { createHttpApp }, { graphqlPlugin }] = await Promise.all([
        import('./auth/accessTokens.ts'),
        import('./http/app.ts'),
        import('./graphql/graphqlPlugin.ts'),
      ]);
      await bootstrapAdminToken(runtime);
      app = await createHttpApp(runtime, { plugins: [graphqlPlugin(runtime)] });
      const listening = app;
      steps.push({ name: 'close HTTP', run: () => closeHttp(listening, config.shutdownTimeoutMs) });
    }

    if (config.role !== 'api') {
      const [{ createAttemptWriter }, { createOutboundAgent }, { startWorker }] = await Promise.all([
        import('./delivery/attemptWriter.ts'),
        import('./delivery/sendAttempt.ts'),
        import('./worker/runner.ts'),
      ]);
      // graphile-worker's bookkeeping (fetching, locking, completing jobs) and delivery
      // claims: a crash may undo them, and the claim rules in deliveries/claim.ts make
      // redoing them safe, so their commits need not wait for the WAL flush. Sized as
      // graphile-worker asks (concurrency + 2); connections open only when used.
      const queuePool: pg.Pool = createPool({
        connectionString: databaseUrl,
        max: config.workerConcurrency + 2,
        applicationName: 'hookpost-queue',
        logger,
        synchronousCommit: false,
      });
      steps.push({ name: 'close the queue pool', run: () => queuePool.end() });
      // Claims, and what endpoints' health decides for them, apart from graphile-worker's
      // statements: these find deliveries by id, so their generic plans are always right,
      // and the claim, planned anew at each execution, cost PostgreSQL 2.4 ms a job to plan
      // against 0.25 ms to run (docs/performance-history.md, run Z). Half the request slots
      // (a quarter of graphile-worker's job slots, runner.ts) at once is more than a
      // worker's claims ever need: each takes a fraction of a millisecond. Release jobs
      // (health/releaseTask.ts) share it, and a burst of them delays claims either way.
      const claimPool: pg.Pool = createPool({
        connectionString: databaseUrl,
        max: Math.ceil(config.workerConcurrency / 2) + 2,
        applicationName: 'hookpost-claims',
        logger,
        synchronousCommit: false,
        genericPlans: true,
      });
      steps.push({ name: 'close the claim pool', run: () => claimPool.end() });
      // Attempt records likewise: one transaction at a time (delivery/attemptWriter.ts), of
      // a few attempts each at a steady rate, which PostgreSQL otherwise often planned anew
      // (run Z). Their commits wait for the WAL flush, as every record must.
      const attemptPool: pg.Pool = createPool({
        connectionString: databaseUrl,
        max: 2,
        applicationName: 'hookpost-attempts',
        logger,
        genericPlans: true,
      });
      steps.push({ name: 'close the attempt pool', run: () => attemptPool.end() });
      const agent: Dispatcher = createOutboundAgent(runtime.targetPolicy, config.egressProxy);
      steps.push({ name: 'close outbound connections', run: () => agent.close() });
      const deliver = {
        ...runtime,
        agent,
        claimPool,
        attempts: createAttemptWriter({ db: attemptPool, changes, logger, metrics: runtime.metrics }),
        tracing:
          tracing && (await import('./tracing/attemptSpans.ts')).makeAttemptTracing({ tracing, db: pool, logger }),
      };
      worker = await startWorker({
        config,
        logger,
        metrics: runtime.metrics,
        queuePool,
        databaseUrl,
        deliver,
        pool,
        routes: runtime.routes,
      });
      const started = worker;
      steps.push({ name: 'stop the delivery worker', run: () => started.stop() });
    }

    if (app) {
      url = await app.listen({ host: config.host, port: config.port });
      logger.info(
        { url, role: config.role },
        `Hookpost is listening on ${url} (dashboard /, REST /api, GraphQL /graphql, docs /docs).`,
      );
    }
    return { runtime, url, opsUrl: ops.url, app, worker, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Stops accepting connections and lets requests in flight finish; connections still
 * open after `timeoutMs` (slow clients, long-lived subscriptions) are cut.
 */
async function closeHttp(app: FastifyInstance, timeoutMs: number): Promise<void> {
  const timer = setTimeout(() => app.server.closeAllConnections(), timeoutMs);
  try {
    await app.close();
  } finally {
    clearTimeout(timer);
  }
}
