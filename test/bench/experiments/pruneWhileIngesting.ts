/**
 * Does pruning hurt ingest? One api process takes events at a steady rate while a prune
 * pass deletes an old history (N settled events, default 1,000,000, written straight in
 * SQL), in alternating windows with and without the pass running; prints the producer's
 * p99 in each and how many events the pass deleted per second.
 *
 *   node --import tsx test/bench/experiments/pruneWhileIngesting.ts [--events 1000000] [--rate 500] [--duration 10] [--rounds 3]
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { loadConfig } from '../../../server/config.ts';
import { prunePass } from '../../../server/retention/prunePass.ts';
import { cleanupAll, cleanupOnSignals } from '../support/cleanup.ts';
import { startBenchDatabase } from '../support/database.ts';
import { createBenchMailbox, eventBody, ingestHeaders } from '../support/hookpostApi.ts';
import { startHookpostProcess } from '../support/hookpostProcess.ts';
import { startReceiver } from '../receiver/receiverProcess.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string' },
    rate: { type: 'string' },
    duration: { type: 'string' },
    rounds: { type: 'string' },
  },
});
const total = Number(values.events ?? 1_000_000);
const rate = Number(values.rate ?? 500);
const durationS = Number(values.duration ?? 10);
const rounds = Number(values.rounds ?? 3);

async function main() {
  cleanupOnSignals();
  const db = await startBenchDatabase({ databaseUrl: process.env.DATABASE_URL, pgStats: false, keep: false });
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'hookpost-prune-'));
  const resultsDir = await fs.mkdtemp(path.join(os.tmpdir(), 'hookpost-prune-results-'));
  await fs.mkdir(path.join(resultsDir, 'logs'));
  const old = (
    await db.pool.query<{ id: string }>(`insert into mailbox (id, name) values (uuidv7(), 'old') returning id`)
  ).rows[0]!.id;
  for (let from = 0; from < total; from += 100_000) {
    await db.pool.query(
      `insert into event (id, mailbox_id, event_type, content_type, body, delivery_count, pending_count)
       select uuidv7(), $1, 'order.created', 'application/json', convert_to(format('{"n":%s}', n), 'UTF8'), 0, 0
         from generate_series($2::int, $3::int - 1) as n`,
      [old, from, Math.min(from + 100_000, total)],
    );
  }
  await db.pool.query('vacuum analyze event');
  const receiver = await startReceiver();
  const settings = {
    databaseUrl: db.url,
    dataDir,
    adminToken: `hpt_bench_admin_${randomBytes(16).toString('hex')}`,
    encryptionKey: randomBytes(32).toString('base64'),
    logLevel: 'warn',
    resultsDir,
    workerConcurrency: undefined,
    dbPoolSize: undefined,
    profile: false,
    nodeOptions: undefined,
    pool: db.pool,
  };
  const api = await startHookpostProcess(settings, 'api', 'prune-api');
  const mailbox = await createBenchMailbox({ url: api.url!, adminToken: settings.adminToken }, receiver, {
    tag: 'prune',
    fanout: 1,
  });
  const config = loadConfig({}, { databaseUrl: db.url });
  const later = new Date(Date.now() + 365 * 24 * 3600_000);
  const ingest = async () => {
    const result = await autocannon({
      url: mailbox.ingestUrl,
      method: 'POST',
      headers: ingestHeaders(mailbox),
      body: eventBody(1024),
      connections: 32,
      overallRate: rate,
      duration: durationS,
    });
    return { p50: result.latency.p50, p99: result.latency.p99, ok: result['2xx'] };
  };
  await ingest(); // warm-up
  let pruned = 0;
  for (let round = 0; round < rounds; round++) {
    const quiet = await ingest();
    const controller = new AbortController();
    const started = performance.now();
    const pass = prunePass(
      { pool: db.pool, config },
      { now: later, signal: controller.signal, budgetMs: durationS * 1000 + 5000 },
    );
    const busy = await ingest();
    controller.abort();
    const result = await pass;
    pruned += result.events;
    console.log(
      `round ${round + 1}: ingest p99 ${quiet.p99} ms (p50 ${quiet.p50}) without pruning, ${busy.p99} ms (p50 ${busy.p50}) while ` +
        `pruning ${result.events} events (${(result.events / ((performance.now() - started) / 1000)).toFixed(0)}/s)`,
    );
  }
  console.log(`pruned ${pruned} of ${total} old events`);
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => cleanupAll());
