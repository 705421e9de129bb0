/**
 * Where the ingest tail comes from: one or more api processes taking events at a steady
 * rate (default 2,000/s over 64 connections, open loop, after a warm-up at the rate
 * that is not counted), or flat out with `--closed`, round after round. Each round
 * prints p50/p99/max, how busy the machine was and how much of it the hypervisor took
 * (steal), the load generator's CPU per request, and PostgreSQL's checkpoints and WAL.
 *
 * "Inside Hookpost" is the same requests as the api timed them (its /metrics histogram).
 *
 * Variants differ only in their environment (`name=KEY:value,KEY:value`; Hookpost's own
 * HOOKPOST_* settings are set by the bench, so this is for NODE_OPTIONS or a knob of a
 * local build) and are taken in turns, A, B, then B, A…, so the machine's noise and
 * a run's position in its round fall on all of them alike. Each variant is its own api
 * process with its own mailbox, and those are not interchangeable: two identical
 * variants (`--variants "A=;B="`, flat out) differed by 10-40 %, the one defined later
 * faster in every round whichever ran first (2026-11-29; cause not found). Compare two
 * settings by running twice, the second time with the variants defined the other way round. `--alternate-wal-init-zero` switches PostgreSQL's wal_init_zero
 * on and off from round to round. As the bench, it first makes 2 GB of WAL ready for
 * reuse (test/bench/support/recycledWal.ts) unless `--fresh-wal`.
 *
 *   node --import tsx test/bench/experiments/ingestTail.ts --rounds 4
 *   node --import tsx test/bench/experiments/ingestTail.ts --closed --variants "a=;b=NODE_OPTIONS:--max-semi-space-size=32"
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startReceiver } from '../receiver/receiverProcess.ts';
import { cleanupAll, cleanupOnSignals, onCleanup } from '../support/cleanup.ts';
import { startBenchDatabase } from '../support/database.ts';
import { createBenchMailbox, eventBody, ingestHeaders } from '../support/hookpostApi.ts';
import { startHookpostProcess } from '../support/hookpostProcess.ts';
import { runLoad } from '../support/loadGenerator.ts';
import { countAbove, quantileBetween, readApiMetrics } from '../support/serverLatency.ts';
import { median } from '../support/stats.ts';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
    closed: { type: 'boolean', default: false },
    'alternate-wal-init-zero': { type: 'boolean', default: false },
    'fresh-wal': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    connections: { type: 'string', default: '64' },
    variants: { type: 'string', default: 'A=' },
  },
});
const rate = Number(values.rate);
const connections = Number(values.connections);

cleanupOnSignals();
const db = await startBenchDatabase({
  databaseUrl: process.env.DATABASE_URL,
  pgStats: false,
  keep: false,
  recycledWalBytes: values['fresh-wal'] ? 0 : 2 * 1024 ** 3,
});
for (const note of db.notes) console.log(note);
const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'hookpost-tail-'));
onCleanup('rm', () => fs.rm(dataDir, { recursive: true, force: true }));
const resultsDir = await fs.mkdtemp(path.join(os.tmpdir(), 'hookpost-tail-results-'));
// The logs are worth a look after a surprising round: kept with --keep.
if (!values.keep) onCleanup('remove the results folder', () => fs.rm(resultsDir, { recursive: true, force: true }));
await fs.mkdir(path.join(resultsDir, 'logs'));
console.log(`Hookpost logs in ${resultsDir}${values.keep ? '' : ' (removed at the end; --keep keeps them)'}`);
const receiver = await startReceiver();
const settings = {
  databaseUrl: db.url,
  dataDir,
  adminToken: `hpt_bench_admin_${randomBytes(16).toString('hex')}`,
  encryptionKey: randomBytes(32).toString('base64'),
  logLevel: 'info',
  resultsDir,
  workerConcurrency: undefined,
  dbPoolSize: undefined,
  profile: false,
  nodeOptions: undefined,
  pool: db.pool,
};

const variants = [];
for (const spec of values.variants.split(';')) {
  const [name, ...rest] = spec.split('=');
  const env = rest.join('=');
  // The child inherits this process's environment when it is spawned; put it back after.
  const pairs = env
    .split(',')
    .filter(Boolean)
    .map((pair) => [pair.slice(0, pair.indexOf(':')), pair.slice(pair.indexOf(':') + 1)] as const);
  const saved = pairs.map(([key]) => [key, process.env[key]] as const);
  for (const [key, value] of pairs) process.env[key] = value;
  const api = await startHookpostProcess(settings, 'api', `tail-${name}`);
  for (const [key, value] of saved) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  const mailbox = await createBenchMailbox({ url: api.url!, adminToken: settings.adminToken }, receiver, {
    tag: `tail-${name}`,
    fanout: 1,
  });
  // As the bench does: JIT, pool connections and prepared statements warm before anything is measured.
  await runLoad({
    url: mailbox.ingestUrl,
    method: 'POST',
    headers: ingestHeaders(mailbox),
    body: eventBody(1024),
    connections: 16,
    durationS: 3,
  });
  variants.push({ name: name!, env, api, mailbox, p99s: [] as number[], p50s: [] as number[], rates: [] as number[] });
}
const body = eventBody(1024);

function cpuTimes() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return { busy: user + nice + system + irq + softirq, idle: idle + iowait, steal };
}

for (let round = 1; round <= Number(values.rounds); round++) {
  if (values['alternate-wal-init-zero']) {
    await db.pool.query(`alter system set wal_init_zero = ${round % 2 ? 'on' : 'off'}`);
    await db.pool.query('select pg_reload_conf()');
    console.log('wal_init_zero', round % 2 ? 'on' : 'off');
  }
  // Every other round in reverse, so no variant always runs first in its round.
  for (const variant of round % 2 === 1 ? variants : [...variants].reverse()) {
    const headers = ingestHeaders(variant.mailbox);
    const before = cpuTimes();
    const generatorBefore = process.cpuUsage();
    // Closed loop: read now; at a rate: as the measured window begins.
    let serverBefore = values.closed ? readApiMetrics(variant.api.opsUrl) : undefined;
    serverBefore?.catch(() => undefined);
    const run = await runLoad({
      url: variant.mailbox.ingestUrl,
      method: 'POST',
      headers,
      body,
      connections,
      durationS: Number(values.seconds),
      ...(values.closed
        ? {}
        : {
            overallRate: rate,
            warmupS: Number(values.warmup),
            countOverMs: 25,
            onWindowStart: () => {
              serverBefore = readApiMetrics(variant.api.opsUrl);
              serverBefore.catch(() => undefined); // awaited after the run, as above
            },
          }),
    });
    const serverAfter = await readApiMetrics(variant.api.opsUrl);
    const serverStart = (await serverBefore)!;
    const inside = (q: number) => quantileBetween(serverStart.ingest, serverAfter.ingest, q)?.toFixed(1) ?? '-';
    const generator = process.cpuUsage(generatorBefore);
    const s = { ...run.latency, rate: run.rate };
    const after = cpuTimes();
    const all = after.busy - before.busy + after.idle - before.idle + after.steal - before.steal;
    const generatorMs = (generator.user + generator.system) / 1000 / (run.ok + run.non2xx);
    const cpu = `busy ${((100 * (after.busy - before.busy)) / all).toFixed(0)}% steal ${((100 * (after.steal - before.steal)) / all).toFixed(0)}% generator ${generatorMs.toFixed(3)} ms/request`;
    variant.p99s.push(s.p99);
    variant.p50s.push(s.p50);
    variant.rates.push(s.rate);
    const {
      rows: [ck],
    } = await db.pool.query(
      `select num_timed + num_requested as checkpoints, num_done, write_time, sync_time, (select pg_size_pretty(pg_current_wal_lsn() - '0/0')) as wal, (select count(*) from graphile_worker._private_jobs) as jobs, (select count(*) from pg_ls_waldir()) as wal_files from pg_stat_checkpointer`,
    );
    console.log(
      `round ${round} ${variant.name} (${variant.env || 'defaults'}): ${Math.round(s.rate)}/s p50 ${s.p50.toFixed(1)} p99 ${s.p99.toFixed(1)} max ${s.max.toFixed(1)} ms (inside Hookpost p50 ${inside(0.5)} p99 ${inside(0.99)}; api event loop ≤ ${serverAfter.eventLoopMaxMs?.toFixed(0)} ms; generator ≤ ${run.generator?.sendLagMaxMs.toFixed(0) ?? '-'} ms late, ≤ ${run.generator?.waitingForConnectionMax ?? '-'} waiting for a connection; over 25 ms: ${run.generator?.slowerThanCount ?? '-'} generator, ${countAbove(serverStart.ingest, serverAfter.ingest, 0.025) ?? '-'} inside)  ${cpu}  ${JSON.stringify(ck)}`,
    );
  }
}
for (const variant of variants)
  console.log(
    `${variant.name} (${variant.env || 'defaults'}): median p50 ${median(variant.p50s).toFixed(1)}, median p99 ${median(variant.p99s).toFixed(1)}, median rate ${Math.round(median(variant.rates))}/s, p99s ${variant.p99s.map((p) => p.toFixed(0)).join(' ')}`,
  );
for (const variant of variants) await variant.api.stop();
await cleanupAll();
process.exit(0);
