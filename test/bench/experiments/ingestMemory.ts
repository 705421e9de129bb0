/**
 * An api process's memory under a flood of large bodies: 100 producers (default) each
 * sending a 1 MiB event at the same moment, a few rounds, against the default bound on
 * bodies in flight (HOOKPOST_INGEST_MAX_BYTES_IN_FLIGHT, 32 MiB) and, in the same run,
 * against an api whose bound is out of the way (the baseline). Prints each api's peak
 * resident memory and what the producers got (202, or 503 with Retry-After past the bound).
 *
 *   node --import tsx test/bench/experiments/ingestMemory.ts
 *   node --import tsx test/bench/experiments/ingestMemory.ts --producers 200 --rounds 5
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startReceiver } from '../receiver/receiverProcess.ts';
import { cleanupAll, cleanupOnSignals, onCleanup } from '../support/cleanup.ts';
import { startBenchDatabase } from '../support/database.ts';
import { createBenchMailbox, eventBody, ingestHeaders } from '../support/hookpostApi.ts';
import { startHookpostProcess } from '../support/hookpostProcess.ts';

const { values } = parseArgs({
  options: {
    producers: { type: 'string', default: '100' },
    'body-bytes': { type: 'string', default: String(1024 * 1024) },
    rounds: { type: 'string', default: '3' },
  },
});
const producers = Number(values.producers);
const bodyBytes = Number(values['body-bytes']);

cleanupOnSignals();
const db = await startBenchDatabase({ databaseUrl: process.env.DATABASE_URL, pgStats: false, keep: false });
const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'hookpost-memory-'));
onCleanup('rm', () => fs.rm(dataDir, { recursive: true, force: true }));
const resultsDir = await fs.mkdtemp(path.join(os.tmpdir(), 'hookpost-memory-results-'));
onCleanup('remove the results folder', () => fs.rm(resultsDir, { recursive: true, force: true }));
await fs.mkdir(path.join(resultsDir, 'logs'));
const receiver = await startReceiver();
const base = {
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
const body = eventBody(bodyBytes);

const variants: { name: string; env: Record<string, string> }[] = [
  { name: 'bounded (default, 32 MiB in flight)', env: { HOOKPOST_MAX_BODY_BYTES: String(bodyBytes + 1024) } },
  {
    name: 'bounded at 16 MiB in flight',
    env: {
      HOOKPOST_MAX_BODY_BYTES: String(bodyBytes + 1024),
      HOOKPOST_INGEST_MAX_BYTES_IN_FLIGHT: String(16 * 2 ** 20),
    },
  },
  {
    name: 'baseline (bound out of the way)',
    env: { HOOKPOST_MAX_BODY_BYTES: String(bodyBytes + 1024), HOOKPOST_INGEST_MAX_BYTES_IN_FLIGHT: String(2 ** 32) },
  },
];
try {
  for (const variant of variants) {
    const api = await startHookpostProcess({ ...base, env: variant.env }, 'api', `memory-${variants.indexOf(variant)}`);
    const mailbox = await createBenchMailbox({ url: api.url!, adminToken: base.adminToken }, receiver, {
      tag: 'memory',
      fanout: 1,
    });
    const statuses = new Map<string, number>();
    for (let round = 0; round < Number(values.rounds); round++) {
      await Promise.all(
        Array.from({ length: producers }, async () => {
          const response = await fetch(`${api.url}/webhooks/${mailbox.id}`, {
            method: 'POST',
            headers: ingestHeaders(mailbox),
            body,
          }).catch((error: Error) => ({ status: `error ${error.message}`, arrayBuffer: async () => undefined }));
          await response.arrayBuffer();
          statuses.set(String(response.status), (statuses.get(String(response.status)) ?? 0) + 1);
        }),
      );
    }
    console.log(
      `${variant.name}: ${producers} producers x ${values.rounds} rounds of ${(bodyBytes / 1024 / 1024).toFixed(1)} MiB; ` +
        `answers ${JSON.stringify(Object.fromEntries(statuses))}; RSS at start ${api.startRssMb} MB, peak ${api.peakRssMb()} MB.`,
    );
    await api.stop();
  }
} finally {
  // The receiver process is stopped by the cleanups too.
  await cleanupAll();
}
