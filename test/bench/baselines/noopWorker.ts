/**
 * The queue ceiling's worker: graphile-worker running a task that does nothing, with
 * Hookpost's worker settings (concurrency, poll interval), optionally with batched job
 * fetching and completion. Runs until it has completed `jobs` jobs, then prints one
 * JSON line: how many, the time from the first start to the last completion, and the
 * CPU this process used meanwhile.
 *
 *   node --import tsx noopWorker.ts '{"url": …, "concurrency": 32, "pollInterval": 500, "jobs": 50000, "batched": false}'
 */
import { EventEmitter } from 'node:events';
import { run, type WorkerEvents } from 'graphile-worker';
import pg from 'pg';

const { url, concurrency, pollInterval, jobs, batched } = JSON.parse(process.argv[2]!) as {
  url: string;
  concurrency: number;
  pollInterval: number;
  jobs: number;
  batched: boolean;
};

const events: WorkerEvents = new EventEmitter();
let firstStart = 0;
let cpuAtStart = 0;
let completed = 0;
const cpuMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};
let done!: () => void;
const finished = new Promise<void>((resolve) => (done = resolve));
events.on('job:start', () => {
  if (!firstStart) {
    firstStart = performance.now();
    cpuAtStart = cpuMs();
  }
});
events.on('job:complete', () => {
  completed += 1;
  if (completed === jobs) done();
});

// The same pool size as Hookpost gives graphile-worker (server/hookpost.ts): concurrency + 2.
const pgPool = new pg.Pool({ connectionString: url, max: concurrency + 2 });
pgPool.on('error', () => undefined);
pgPool.on('connect', (client) => client.on('error', () => undefined));
const runner = await run({
  pgPool,
  concurrency,
  pollInterval,
  noHandleSignals: true,
  events,
  taskList: { bench_noop: async () => {} },
  parsedCronItems: [],
  ...(batched ? { preset: { worker: { localQueue: { size: concurrency * 4 }, completeJobBatchDelay: 0 } } } : {}),
});
await finished;
const spanS = (performance.now() - firstStart) / 1000;
const workerCpuMs = cpuMs() - cpuAtStart;
await runner.stop();
await pgPool.end();
console.log(JSON.stringify({ jobs: completed, spanS, cpuMs: workerCpuMs }));
process.exit(0);
