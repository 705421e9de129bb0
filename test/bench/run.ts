/**
 * `npm run bench`: Hookpost's benchmark. Starts a PostgreSQL (embedded, or DATABASE_URL),
 * a receiver, and Hookpost as real processes; measures this machine's ceilings (insert,
 * queue, network) and then Hookpost (ingest, delivery, end-to-end latency, retry storm,
 * an outage of some endpoints, a tarpit endpoint and a heavy GraphQL reader beside
 * healthy traffic, replay, events list), checking after each scenario that
 * nothing acknowledged was lost; prints a table and writes report.json and report.md
 * under bench-results/<timestamp>/. Exits 1 when any check failed or a scenario could not finish.
 *
 * Everything it starts is stopped and removed on exit, on failure and on Ctrl-C.
 */
import { execSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runInsertCeiling } from './baselines/insertCeiling.ts';
import { runNetworkCeiling } from './baselines/networkCeiling.ts';
import { runQueueCeiling } from './baselines/queueCeiling.ts';
import { PRODUCT_WORKER_CONCURRENCY, parseOptions, usage, type ScenarioName } from './options.ts';
import { summarizeProfiles } from './profile/summarize.ts';
import { startReceiver } from './receiver/receiverProcess.ts';
import { buildReport, writeReport } from './report/report.ts';
import { render } from './report/render.ts';
import type { BenchContext, ScenarioResult } from './scenario.ts';
import { runDelivery } from './scenarios/delivery.ts';
import { runEndToEnd } from './scenarios/endToEnd.ts';
import { runEventsList } from './scenarios/eventsList.ts';
import { runIngest } from './scenarios/ingest.ts';
import { runNoisyNeighbour } from './scenarios/noisyNeighbour.ts';
import { runOutage } from './scenarios/outage.ts';
import { runReplay } from './scenarios/replay.ts';
import { runRetryStorm } from './scenarios/retryStorm.ts';
import { cleanupAll, cleanupOnSignals, onCleanup } from './support/cleanup.ts';
import { startBenchDatabase } from './support/database.ts';
import { repoRoot, startHookpostProcess } from './support/hookpostProcess.ts';
import { describeMachine, writebackNote } from './support/machine.ts';

/** In this order: the ceilings first, on a quiet database; the 1M-event history last. */
const scenarios: Record<ScenarioName, (ctx: BenchContext) => Promise<ScenarioResult>> = {
  'insert-ceiling': runInsertCeiling,
  'queue-ceiling': runQueueCeiling,
  'network-ceiling': runNetworkCeiling,
  ingest: runIngest,
  delivery: runDelivery,
  e2e: runEndToEnd,
  'retry-storm': runRetryStorm,
  outage: runOutage,
  'noisy-neighbour': runNoisyNeighbour,
  replay: runReplay,
  'events-list': runEventsList,
};

async function main(): Promise<number> {
  let options;
  try {
    options = parseOptions(process.argv.slice(2), process.env);
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  if (options === 'help') {
    console.log(usage);
    return 0;
  }
  cleanupOnSignals();

  const startedAt = new Date();
  const began = performance.now();
  const log = (message: string) =>
    console.error(`[bench ${((performance.now() - began) / 1000).toFixed(0).padStart(4)} s] ${message}`);
  const resultsDir = path.resolve(repoRoot, options.outDir, startedAt.toISOString().replace(/[:.]/g, '-'));
  await fs.mkdir(path.join(resultsDir, 'logs'), { recursive: true });
  if (options.profile) await fs.mkdir(path.join(resultsDir, 'profiles'), { recursive: true });
  const machine = describeMachine();
  log(`${options.mode} mode; results in ${path.relative(process.cwd(), resultsDir)}`);

  const errors: string[] = [];
  const results: ScenarioResult[] = [];
  log(options.databaseUrl ? 'creating a bench database on DATABASE_URL' : 'starting an embedded PostgreSQL');
  const db = await startBenchDatabase({
    databaseUrl: options.databaseUrl,
    pgStats: options.pgStats,
    keep: options.keep,
    recycledWalBytes: options.recycledWalBytes,
  });
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'hookpost-bench-data-'));
  if (!options.keep)
    onCleanup('remove the Hookpost data folder', () => fs.rm(dataDir, { recursive: true, force: true }));
  const receiver = await startReceiver();

  const hookpost = {
    databaseUrl: db.url,
    dataDir,
    adminToken: `hpt_bench_admin_${randomBytes(16).toString('hex')}`,
    encryptionKey: randomBytes(32).toString('base64'),
    logLevel: options.logLevel,
    resultsDir,
    workerConcurrency: options.workerConcurrency,
    dbPoolSize: options.dbPoolSize,
    profile: options.profile,
    nodeOptions: options.nodeOptions,
    pool: db.pool,
  };
  const ctx: BenchContext = {
    options,
    db,
    receiver,
    resultsDir,
    hookpost,
    log,
    startHookpost: (role, label) => startHookpostProcess(hookpost, role, label),
  };

  for (const [name, run] of Object.entries(scenarios) as [ScenarioName, (typeof scenarios)[ScenarioName]][]) {
    if (!options.scenarios.includes(name)) continue;
    log(`── ${name}`);
    try {
      const result = await run(ctx);
      results.push(result);
      for (const check of result.checks.filter((c) => !c.ok))
        log(`CHECK FAILED in ${name}: ${check.name} — ${check.detail}`);
    } catch (error) {
      errors.push(`${name} did not finish: ${(error as Error).message}`);
      log(`${name} did not finish: ${(error as Error).stack}`);
    }
  }

  const report = buildReport({
    mode: options.mode,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    commit: commitOf(),
    options,
    machine,
    loadAverageAtEnd: os.loadavg().map((l) => Math.round(l * 100) / 100),
    database: { kind: db.kind, version: db.version, settings: db.settings },
    hookpost: {
      command: `node dist/server/main.js --role <api|worker|all> (as npm start, compiled when stale), topology ${options.topology}`,
      settings:
        `worker concurrency ${options.workerConcurrency ?? `${PRODUCT_WORKER_CONCURRENCY} (default)`}, DB pool ${options.dbPoolSize ?? '20 (default)'}, ` +
        `LOG_LEVEL=${options.logLevel}, payload ${options.payloadBytes} B${options.nodeOptions ? `, NODE_OPTIONS=${options.nodeOptions}` : ''}`,
    },
    tools: {
      autocannon: (
        JSON.parse(readFileSync(path.join(repoRoot, 'node_modules/autocannon/package.json'), 'utf8')) as {
          version: string;
        }
      ).version,
    },
    scenarios: results,
    // The kernel's writeback only matters to a PostgreSQL on this machine.
    notes: [
      ...db.notes,
      ...(['127.0.0.1', 'localhost', '::1', '[::1]'].includes(new URL(db.url).hostname)
        ? [writebackNote(machine.writeback)]
        : []
      ).filter((n): n is string => n !== null),
    ],
    errors,
  });
  console.log(render(report, 'text'));
  await writeReport(report, resultsDir);
  if (options.profile) {
    await cleanupAll(); // the processes write their profiles when they exit
    await summarizeProfiles(path.join(resultsDir, 'profiles'));
  }
  log(`report written to ${path.relative(process.cwd(), resultsDir)}/report.{md,json}`);
  return report.ok ? 0 : 1;
}

function commitOf(): string {
  try {
    const sha = execSync('git rev-parse --short HEAD', { cwd: repoRoot, encoding: 'utf8' }).trim();
    const dirty = execSync('git status --porcelain --untracked-files=no', { cwd: repoRoot, encoding: 'utf8' }).trim();
    return dirty ? `${sha} (with uncommitted changes)` : sha;
  } catch {
    // A copy without .git (an exported snapshot) can say which commit it is.
    return process.env.BENCH_COMMIT ?? 'unknown';
  }
}

let code = 1;
try {
  code = await main();
} catch (error) {
  console.error(`The bench failed: ${(error as Error).stack}`);
} finally {
  await cleanupAll();
}
process.exit(code);
