/**
 * The queue ceiling: graphile-worker completing no-op jobs from a backlog, in a process
 * of its own with Hookpost's worker concurrency and poll interval. Delivery throughput
 * is compared with it: a delivery job does a no-op job's queue work plus the delivery.
 *
 * A second run turns on graphile-worker's batching (local queue of 4 × concurrency,
 * batched completion), which Hookpost does not use yet: it shows what the queue could
 * give if Hookpost adopted it.
 */
import { fork } from 'node:child_process';
import { emptyResult, type BenchContext, type ScenarioResult } from '../scenario.ts';
import { onCleanup } from '../support/cleanup.ts';
import { cpuSources, startCpuWindow } from '../support/cpuWindow.ts';
import { PRODUCT_WORKER_CONCURRENCY } from '../options.ts';

/** Hookpost's default HOOKPOST_WORKER_POLL_INTERVAL_MS (server/config.ts). */
const POLL_INTERVAL_MS = 500;

export async function runQueueCeiling(ctx: BenchContext): Promise<ScenarioResult> {
  const { options, db } = ctx;
  const concurrency = options.workerConcurrency ?? PRODUCT_WORKER_CONCURRENCY;
  const result = emptyResult(
    'queue-ceiling',
    `graphile-worker no-op jobs, one process, concurrency ${concurrency}, poll interval ${POLL_INTERVAL_MS} ms (as Hookpost's worker)`,
  );

  for (const batched of [false, true]) {
    const caseName = batched
      ? `${options.queueJobs} jobs, batched fetch + completion`
      : `${options.queueJobs} jobs, as Hookpost runs it`;
    ctx.log(`queue-ceiling: adding ${options.queueJobs} no-op jobs`);
    for (let added = 0; added < options.queueJobs; added += 10_000) {
      const n = Math.min(10_000, options.queueJobs - added);
      // The payload has the shape and size of a deliver job's.
      await db.pool.query(
        `select graphile_worker.add_jobs(array(
           select row('bench_noop', json_build_object('trigger', 'scheduled', 'deliveries', json_build_array(json_build_object('id', gen_random_uuid(), 'attempt', 1))),
                      null, null, 10, null, null, null)::graphile_worker.job_spec
             from generate_series(1, $1)))`,
        [n],
      );
    }

    ctx.log(`queue-ceiling: ${caseName}`);
    const cpu = startCpuWindow(cpuSources({ postmasterPid: db.postmasterPid, processes: [], loadGenerator: false }));
    const child = fork(
      new URL('./noopWorker.ts', import.meta.url).pathname,
      [JSON.stringify({ url: db.url, concurrency, pollInterval: POLL_INTERVAL_MS, jobs: options.queueJobs, batched })],
      {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
      },
    );
    const dropCleanup = onCleanup('stop the no-op worker', () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    await new Promise<void>((resolve, reject) =>
      child.once('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`The no-op worker exited with ${code}.`)),
      ),
    );
    dropCleanup();
    const measured = JSON.parse(output.trim().split('\n').pop()!) as { jobs: number; spanS: number; cpuMs: number };
    const cpuRow = cpu.end('queue-ceiling', caseName, 'job', measured.jobs);
    cpuRow.perUnit['no-op worker'] = measured.cpuMs / measured.jobs;
    cpuRow.cores['no-op worker'] = measured.cpuMs / (measured.spanS * 1000);
    result.cpu.push(cpuRow);
    result.rows.push({
      scenario: 'queue-ceiling',
      case: caseName,
      key: batched ? 'queue:batched' : 'queue',
      rate: measured.jobs / measured.spanS,
      unit: 'jobs/s',
      count: measured.jobs,
      durationS: measured.spanS,
      errors: 0,
    });
    const {
      rows: [left],
    } = await db.pool.query<{ n: number }>(
      `select count(*)::int as n from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id where t.identifier = 'bench_noop'`,
    );
    result.checks.push({
      name: `queue ceiling (${batched ? 'batched' : 'default'}): every job completed`,
      ok: left!.n === 0,
      detail: `${left!.n} no-op jobs left in the queue`,
    });
  }
  return result;
}
