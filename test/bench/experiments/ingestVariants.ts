/**
 * Where the ingest transaction's time goes, measured by taking it apart: pgbench runs
 * Hookpost's insert statement (server/ingest/sql/insertEvent.ts, written out in SQL)
 * and variants of it that each remove or change one thing, at the same concurrency on
 * the same PostgreSQL. The differences say what each part costs and what a change
 * would gain, before anyone changes server/.
 *
 *   node --import tsx test/bench/experiments/ingestVariants.ts [--clients 64] [--duration 10] [--batch 20]
 *
 * Uses an embedded PostgreSQL in a temporary folder (or DATABASE_URL), migrated by
 * Hookpost's own migrations. Needs pgbench on PATH.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { table } from '../report/format.ts';
import { cleanupAll, cleanupOnSignals } from '../support/cleanup.ts';
import { startBenchDatabase, type BenchDatabase } from '../support/database.ts';
import { eventBody } from '../support/hookpostApi.ts';
import { postgresCpuMs } from '../support/procStats.ts';
import { sampleWaitEvents } from '../support/waitEvents.ts';

const { values } = parseArgs({
  options: { clients: { type: 'string' }, duration: { type: 'string' }, batch: { type: 'string' } },
});
const clients = Number(values.clients ?? 64);
const durationS = Number(values.duration ?? 10);
const batch = Number(values.batch ?? 20);

/** The event, its delivery and its job, as insertEvent.ts writes them (ids made in SQL instead of Node). */
const hookpostStatement = (job: string, mailbox: string, endpoint: string) => `
with ids as (select uuidv7() as event_id, uuidv7() as delivery_id),
new_event as (
  insert into event (id, mailbox_id, event_type, content_type, body, delivery_count, pending_count)
  select event_id, ${mailbox}, 'order.created', 'application/json', :body::bytea, 1, 1 from ids
), new_deliveries as (
  insert into delivery (id, event_id, endpoint_id) select delivery_id, event_id, ${endpoint} from ids
)${job ? `, new_job as (${job})` : ''}
select ${job ? '(select count(*) from new_job)' : '1'}`;

const payload = `json_build_object('trigger', 'scheduled', 'deliveries', json_build_array(json_build_object('id', delivery_id, 'attempt', 1)))`;
const addJob = `select graphile_worker.add_job('deliver', ${payload}, max_attempts := 10) from ids`;
/** The job row add_job would write, without its task upsert and without its pg_notify('jobs:insert'). */
const directJob = `insert into graphile_worker._private_jobs (task_id, payload, max_attempts)
  select (select id from graphile_worker._private_tasks where identifier = 'deliver'), ${payload}, 10 from ids returning 1`;

const shared = { mailbox: `:mailbox::uuid`, endpoint: `:endpoint::uuid` };
/** Each pgbench client on its own mailbox and endpoint (:client_id), so no two transactions lock the same parent rows. */
const perClient = {
  mailbox: `(select id from mailbox where name = 'bench ' || :client_id)`,
  endpoint: `(select e.id from endpoint e join mailbox m on m.id = e.mailbox_id where m.name = 'bench ' || :client_id)`,
};

const batched = `
with ids as (select uuidv7() as event_id, uuidv7() as delivery_id from generate_series(1, ${batch})),
new_event as (
  insert into event (id, mailbox_id, event_type, content_type, body, delivery_count, pending_count)
  select event_id, :mailbox::uuid, 'order.created', 'application/json', :body::bytea, 1, 1 from ids
), new_deliveries as (
  insert into delivery (id, event_id, endpoint_id) select delivery_id, event_id, :endpoint::uuid from ids
), new_jobs as (
  select graphile_worker.add_jobs(array(select row('deliver', ${payload}, null, null, 10, null, null, null)::graphile_worker.job_spec from ids))
)
select (select count(*) from new_jobs)`;

const variants: { name: string; sql: string; eventsPerTx: number }[] = [
  {
    name: 'plain INSERT of a 1 KB row (the insert ceiling)',
    sql: `insert into bench_plain (body) values (:body::bytea)`,
    eventsPerTx: 1,
  },
  {
    name: "Hookpost's statement: event + delivery + add_job",
    sql: hookpostStatement(addJob, shared.mailbox, shared.endpoint),
    eventsPerTx: 1,
  },
  { name: 'event + delivery, no job', sql: hookpostStatement('', shared.mailbox, shared.endpoint), eventsPerTx: 1 },
  {
    name: 'event + delivery + job row without pg_notify',
    sql: hookpostStatement(directJob, shared.mailbox, shared.endpoint),
    eventsPerTx: 1,
  },
  {
    name: "Hookpost's statement, one mailbox per client",
    sql: hookpostStatement(addJob, perClient.mailbox, perClient.endpoint),
    eventsPerTx: 1,
  },
  { name: `${batch} events per transaction, one add_jobs`, sql: batched, eventsPerTx: batch },
];

async function setUp(db: BenchDatabase) {
  await db.pool.query(
    'create table if not exists bench_plain (id uuid primary key default uuidv7(), received_at timestamptz(3) not null default now(), body bytea not null)',
  );
  const { rows } = await db.pool.query<{ mailbox: string; endpoint: string }>(`
    with m as (
      insert into mailbox (id, name) select uuidv7(), 'bench ' || g from generate_series(0, ${clients}) g returning id, name
    ), e as (
      insert into endpoint (id, mailbox_id, url, retry_policy) select uuidv7(), id, 'http://127.0.0.1:9/hook', '{}' from m returning id, mailbox_id
    )
    select m.id as mailbox, e.id as endpoint from m join e on e.mailbox_id = m.id where m.name = 'bench 0'`);
  // graphile-worker creates a task's row on first use; make it exist as in a running Hookpost.
  await db.pool.query(
    `insert into graphile_worker._private_tasks (identifier) values ('deliver') on conflict do nothing`,
  );
  return rows[0]!;
}

async function pgbench(
  db: BenchDatabase,
  sql: string,
  vars: Record<string, string>,
): Promise<{ tps: number; latencyMs: number }> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'hookpost-ingest-variants-'));
  try {
    const script = path.join(dir, 'script.sql');
    await fs.writeFile(script, `${sql.replace(/\s*\n\s*/g, ' ')};\n`);
    const url = new URL(db.url);
    const args = [
      '-n',
      '-M',
      'prepared',
      '-c',
      String(clients),
      '-j',
      '2',
      '-T',
      String(durationS),
      '-f',
      script,
      ...Object.entries(vars).flatMap(([k, v]) => ['-D', `${k}=${v}`]),
      '-h',
      url.hostname,
      '-p',
      url.port,
      '-U',
      decodeURIComponent(url.username),
      url.pathname.slice(1),
    ];
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn('pgbench', args, { env: { ...process.env, PGPASSWORD: decodeURIComponent(url.password) } });
      let text = '';
      child.stdout.on('data', (c) => (text += c));
      child.stderr.on('data', (c) => (text += c));
      child.once('exit', (code) =>
        code === 0 ? resolve(text) : reject(new Error(`pgbench exited with ${code}: ${text.slice(-800)}`)),
      );
    });
    return {
      tps: Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(output)?.[1]),
      latencyMs: Number(/latency average = ([\d.]+) ms/.exec(output)?.[1]),
    };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function main() {
  cleanupOnSignals();
  const db = await startBenchDatabase({ databaseUrl: process.env.DATABASE_URL, pgStats: false, keep: false });
  const {
    rows: [probe],
  } = await db.pool.query<{ v7: boolean }>(`select to_regprocedure('uuidv7()') is not null as v7`);
  if (!probe!.v7) throw new Error('This experiment needs uuidv7() (PostgreSQL 18), as the embedded server has.');
  const ids = await setUp(db);
  const vars = { body: eventBody(1024), mailbox: ids.mailbox, endpoint: ids.endpoint };
  const rows: string[][] = [];
  for (const variant of variants) {
    await db.pool.query('checkpoint');
    console.error(`${variant.name}: ${clients} clients, ${durationS} s`);
    const cpuBefore = db.postmasterPid ? postgresCpuMs(db.postmasterPid) : null;
    const waits = sampleWaitEvents(db.pool);
    const result = await pgbench(db, variant.sql, vars);
    const topWaits = await waits.stop();
    const cpuAfter = db.postmasterPid ? postgresCpuMs(db.postmasterPid) : null;
    const events = result.tps * variant.eventsPerTx;
    const cpuPerEvent = cpuBefore !== null && cpuAfter !== null ? (cpuAfter - cpuBefore) / (events * durationS) : NaN;
    rows.push([
      variant.name,
      Math.round(result.tps).toLocaleString('en-US'),
      Math.round(events).toLocaleString('en-US'),
      result.latencyMs.toFixed(1),
      cpuPerEvent.toFixed(3),
      topWaits
        .slice(0, 3)
        .map((w) => `${w.event} ${Math.round(w.share * 100)} %`)
        .join('; '),
    ]);
  }
  console.log(
    `\n${clients} clients, ${durationS} s each, ${db.version.split(',')[0]}, fsync=${db.settings.fsync}, synchronous_commit=${db.settings.synchronous_commit}\n`,
  );
  console.log(
    table(
      [
        'variant',
        'tx/s',
        'events/s',
        'latency avg ms',
        'PG CPU ms/event',
        'top waits (share of active backend samples)',
      ],
      rows,
      'markdown',
    ),
  );
}

try {
  await main();
} finally {
  await cleanupAll();
}
