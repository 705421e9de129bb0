/**
 * What idempotency keys cost at ingest: one api process, the same 1 KB events at the same
 * concurrency, with and without a (unique) `Idempotency-Key`, in alternating windows so
 * the machine's mood affects both alike; prints each window, CPU per event of PostgreSQL,
 * the api and the load generator, and the median ratio.
 *
 *   node --import tsx test/bench/experiments/idempotencyIngest.ts [--connections 64] [--duration 5] [--rounds 3]
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { cleanupAll, cleanupOnSignals } from '../support/cleanup.ts';
import { startBenchDatabase } from '../support/database.ts';
import { createBenchMailbox, eventBody, ingestHeaders } from '../support/hookpostApi.ts';
import { startHookpostProcess } from '../support/hookpostProcess.ts';
import { startReceiver } from '../receiver/receiverProcess.ts';
import { cpuSources, startCpuWindow } from '../support/cpuWindow.ts';

const { values } = parseArgs({
  options: { connections: { type: 'string' }, duration: { type: 'string' }, rounds: { type: 'string' } },
});
const connections = Number(values.connections ?? 64);
const durationS = Number(values.duration ?? 5);
const rounds = Number(values.rounds ?? 3);

async function main() {
  cleanupOnSignals();
  const db = await startBenchDatabase({ databaseUrl: process.env.DATABASE_URL, pgStats: false, keep: false });
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'hookpost-idem-'));
  const resultsDir = await fs.mkdtemp(path.join(os.tmpdir(), 'hookpost-idem-results-'));
  await fs.mkdir(path.join(resultsDir, 'logs'));
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
  const api = await startHookpostProcess(settings, 'api', 'idempotency-api');
  const mailbox = await createBenchMailbox({ url: api.url!, adminToken: settings.adminToken }, receiver, {
    tag: 'idem',
    fanout: 1,
  });
  const body = eventBody(1024);
  const sources = cpuSources({ postmasterPid: db.postmasterPid, processes: [api], loadGenerator: true });
  const window = async (withKeys: boolean) => {
    const cpu = startCpuWindow(sources);
    const result = await autocannon({
      url: mailbox.ingestUrl,
      method: 'POST',
      headers: ingestHeaders(mailbox),
      body,
      connections,
      duration: durationS,
      // Both windows build each request anew with a fresh UUID header, so the load
      // generator (on the same cores) works alike in both: only the header's name differs.
      requests: [
        {
          setupRequest: (request) => ({
            ...request,
            headers: { ...request.headers, [withKeys ? 'idempotency-key' : 'x-request-id']: randomUUID() },
          }),
        },
      ],
    });
    const ok = result['2xx'];
    // CPU per event, by process: unlike the rate, it does not depend on what else the machine did meanwhile.
    const perEvent = cpu.end('idempotency', withKeys ? 'keys' : 'plain', 'event', ok).perUnit;
    return { ok, rate: ok / durationS, p99: result.latency.p99, non2xx: result.non2xx, perEvent };
  };
  await window(false); // warm-up
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? [false, true] : [true, false];
    const got: Record<string, { rate: number; p99: number; non2xx: number; perEvent: Record<string, number> }> = {};
    for (const withKeys of order) got[withKeys ? 'keys' : 'plain'] = await window(withKeys);
    ratios.push(got.keys!.rate / got.plain!.rate);
    console.log(
      `round ${round + 1}: without keys ${got.plain!.rate.toFixed(0)}/s (p99 ${got.plain!.p99} ms), ` +
        `with keys ${got.keys!.rate.toFixed(0)}/s (p99 ${got.keys!.p99} ms), ratio ${(ratios.at(-1)! * 100).toFixed(1)} %` +
        (got.keys!.non2xx + got.plain!.non2xx ? `, non-2xx ${got.keys!.non2xx + got.plain!.non2xx}` : '') +
        `; CPU ms per event without/with keys: ${Object.keys(got.plain!.perEvent)
          .map((name) => `${name} ${got.plain!.perEvent[name]!.toFixed(3)}/${got.keys!.perEvent[name]!.toFixed(3)}`)
          .join(', ')}`,
    );
  }
  ratios.sort((a, b) => a - b);
  const middle = ratios.length / 2;
  // An even count has two middles: their mean.
  const median = Number.isInteger(middle) ? (ratios[middle - 1]! + ratios[middle]!) / 2 : ratios[Math.floor(middle)]!;
  console.log(`median ratio with/without keys: ${(median * 100).toFixed(1)} %`);
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => cleanupAll());
