/**
 * The ingest ceiling: one INSERT of a 1 KB row per transaction, at the same
 * concurrencies as the ingest runs, on the same PostgreSQL, durable commits as for
 * Hookpost. It is what this machine's PostgreSQL can commit when nothing else is done,
 * so "ingest / insert ceiling" says how much of it Hookpost turns into accepted events.
 *
 * Issue 5 defines the ceiling as INSERTs "through pg": insertDriver.ts, node-postgres
 * clients in a process of their own, as Hookpost talks to PostgreSQL. When pgbench is on
 * PATH, one more run at 64 clients takes pgbench (C, prepared statements) for reference:
 * what PostgreSQL commits with a client that costs next to nothing, which on a 2-core
 * machine shared with the client is up to twice the pg figure. `--insert-driver pgbench`
 * measures every level with pgbench instead.
 *
 * One more run at 64 clients adds a `pg_notify` to each transaction, as every
 * graphile_worker.add_job(s) does (the `jobs:insert` notification): PostgreSQL holds a
 * database-wide lock from the notification until the commit is flushed, so it shows
 * what notifying in the ingest transaction costs on this machine.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { emptyResult, type BenchContext, type Row, type ScenarioResult } from '../scenario.ts';
import { onCleanup } from '../support/cleanup.ts';
import { cpuSources, startCpuWindow } from '../support/cpuWindow.ts';
import { eventBody } from '../support/hookpostApi.ts';
import { repoRoot } from '../support/hookpostProcess.ts';
import { summarize } from '../support/stats.ts';

export interface Measured {
  transactions: number;
  durationS: number;
  p50: number;
  p99: number;
  max: number;
}

const INSERT = 'insert into bench_insert_ceiling (body) values (:body::bytea)';
const INSERT_AND_NOTIFY = `with row as (${INSERT} returning 1) select pg_notify('bench_ceiling', '') from row`;

function pgbenchVersion(): string | null {
  const run = spawnSync('pgbench', ['--version'], { encoding: 'utf8' });
  return run.status === 0 ? run.stdout.trim() : null;
}

/** The ceiling's table on the bench database, and one measured run at a given concurrency. */
export interface InsertCeiling {
  /** False when the server has no uuidv7() and the table's keys are random UUIDs. */
  timeOrderedKeys: boolean;
  /** An empty table, a checkpoint, then `durationS` of back-to-back INSERTs (or INSERT + pg_notify) at `connections`. */
  measure(connections: number, how?: { notify?: boolean; pgbench?: boolean }): Promise<Measured>;
  close(): Promise<void>;
}

export async function openInsertCeiling(ctx: BenchContext): Promise<InsertCeiling> {
  const { db } = ctx;
  const {
    rows: [probe],
  } = await db.pool.query<{ v7: boolean }>(`select to_regprocedure('uuidv7()') is not null as v7`);
  const v7 = probe!.v7;
  await db.pool.query(`drop table if exists bench_insert_ceiling`);
  await db.pool.query(`
    create table bench_insert_ceiling (
      id uuid primary key default ${v7 ? 'uuidv7()' : 'gen_random_uuid()'},
      received_at timestamptz(3) not null default now(),
      body bytea not null
    )`);
  const body = eventBody(ctx.options.payloadBytes);
  return {
    timeOrderedKeys: v7,
    async measure(connections, how = {}) {
      await db.pool.query('truncate bench_insert_ceiling');
      await db.pool.query('checkpoint').catch(() => undefined);
      const statement = how.notify ? INSERT_AND_NOTIFY : INSERT;
      return how.pgbench ? viaPgbench(ctx, connections, body, statement) : viaDriver(ctx, connections, body, statement);
    },
    async close() {
      await db.pool.query('drop table if exists bench_insert_ceiling');
    },
  };
}

/** A measured ceiling run as a row of the results table. */
export function ceilingRow(measured: Measured, row: Pick<Row, 'scenario' | 'case' | 'key' | 'note'>): Row {
  return {
    ...row,
    rate: measured.transactions / measured.durationS,
    unit: 'tx/s',
    count: measured.transactions,
    durationS: measured.durationS,
    p50: measured.p50,
    p99: measured.p99,
    max: measured.max,
    errors: 0,
  };
}

/** Clients the ceiling can open at most, leaving room for Hookpost's own connections. */
export async function ceilingConnections(db: BenchContext['db'], wanted: number): Promise<number> {
  const {
    rows: [limits],
  } = await db.pool.query<{ max: number; used: number }>(
    `select current_setting('max_connections')::int as max, (select count(*)::int from pg_stat_activity) as used`,
  );
  return Math.min(wanted, limits!.max - limits!.used - 10);
}

export async function runInsertCeiling(ctx: BenchContext): Promise<ScenarioResult> {
  const { options, db } = ctx;
  const version = pgbenchVersion();
  if (options.insertDriver === 'pgbench' && !version)
    throw new Error('--insert-driver pgbench, but pgbench is not on PATH.');
  const pgbench = `pgbench (${version}), custom script, -M prepared`;
  const driver =
    options.insertDriver === 'pgbench'
      ? pgbench
      : 'node-postgres clients in a process of their own (test/bench/baselines/insertDriver.ts)';
  const result = emptyResult(
    'insert-ceiling',
    `one INSERT (1 KB row, uuid key) per transaction via ${driver}${options.insertDriver === 'pg' && version ? `; the "pgbench" row via ${pgbench}` : ''}`,
  );

  const ceiling = await openInsertCeiling(ctx);
  if (!ceiling.timeOrderedKeys)
    result.notes.push(
      'No uuidv7() on this PostgreSQL: the ceiling table uses random UUID keys (slightly slower inserts than time-ordered ones).',
    );
  const sources = cpuSources({ postmasterPid: db.postmasterPid, processes: [] });
  try {
    const viaPgbenchAlways = options.insertDriver === 'pgbench';
    const runs = options.connections.map((wanted) => ({ wanted, notify: false, pgbench: viaPgbenchAlways }));
    if (options.connections.includes(64)) {
      runs.push({ wanted: 64, notify: true, pgbench: viaPgbenchAlways });
      if (!viaPgbenchAlways && version) runs.push({ wanted: 64, notify: false, pgbench: true });
    }
    for (const { wanted, notify, pgbench: withPgbench } of runs) {
      const connections = await ceilingConnections(db, wanted);
      const reference = withPgbench && !viaPgbenchAlways;
      const caseName = `${connections} clients${notify ? ', with pg_notify' : ''}${reference ? ', pgbench' : ''}`;
      ctx.log(`insert-ceiling: ${caseName} for ${options.durationS} s`);
      const cpu = startCpuWindow(sources);
      const measured = await ceiling.measure(connections, { notify, pgbench: withPgbench });
      result.cpu.push(cpu.end('insert-ceiling', caseName, 'transaction', measured.transactions));
      result.rows.push(
        ceilingRow(measured, {
          scenario: 'insert-ceiling',
          case: caseName,
          key: reference ? `insert-pgbench:${wanted}` : notify ? `insert-notify:${wanted}` : `insert:${wanted}`,
          note: connections < wanted ? `capped by max_connections (${wanted} asked)` : undefined,
        }),
      );
    }
  } finally {
    await ceiling.close();
  }
  return result;
}

async function viaPgbench(ctx: BenchContext, connections: number, body: string, statement: string): Promise<Measured> {
  const url = new URL(ctx.db.url);
  const dir = await fs.mkdtemp(path.join(ctx.resultsDir, 'pgbench-'));
  const script = path.join(dir, 'insert.sql');
  await fs.writeFile(script, `${statement};\n`);
  const args = [
    // pgbench counts connecting (SCRAM, one client after another per thread) in -T; give it
    // that time on top, and take its rate without it.
    '-n',
    '-M',
    'prepared',
    '-c',
    String(connections),
    '-j',
    '2',
    '-T',
    String(ctx.options.durationS + Math.ceil(connections / 16)),
    '-f',
    script,
    '-D',
    `body=${body}`,
    '-l',
    `--log-prefix=${path.join(dir, 'tx')}`,
    '-h',
    url.hostname,
    '-p',
    url.port || '5432',
    '-U',
    decodeURIComponent(url.username) || 'postgres',
    decodeURIComponent(url.pathname.slice(1)),
  ];
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn('pgbench', args, {
      cwd: dir,
      env: { ...process.env, PGPASSWORD: decodeURIComponent(url.password) },
    });
    const dropCleanup = onCleanup('stop pgbench', () => child.kill('SIGKILL'));
    child.once('exit', dropCleanup);
    let text = '';
    child.stdout.on('data', (chunk) => (text += chunk));
    child.stderr.on('data', (chunk) => (text += chunk));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(text) : reject(new Error(`pgbench exited with ${code}: ${text.slice(-500)}`)),
    );
  });
  const processed = Number(/number of transactions actually processed: (\d+)/.exec(output)?.[1]);
  // Opening hundreds of authenticated connections takes a while; pgbench leaves it out of its rate.
  const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(output)?.[1]);
  const failed = Number(/number of failed transactions: (\d+)/.exec(output)?.[1] ?? 0);
  if (failed > 0) throw new Error(`pgbench reported ${failed} failed transactions.`);
  const latencies: number[] = [];
  for (const file of (await fs.readdir(dir)).filter((name) => name.startsWith('tx.'))) {
    for (const line of (await fs.readFile(path.join(dir, file), 'utf8')).split('\n')) {
      const fields = line.split(' ');
      if (fields.length >= 6) latencies.push(Number(fields[2]) / 1000);
    }
  }
  await fs.rm(dir, { recursive: true, force: true });
  const latency = summarize(latencies);
  return {
    transactions: processed,
    durationS: tps > 0 ? processed / tps : ctx.options.durationS,
    p50: latency.p50,
    p99: latency.p99,
    max: latency.max,
  };
}

async function viaDriver(ctx: BenchContext, connections: number, body: string, statement: string): Promise<Measured> {
  const program = path.join(repoRoot, 'test/bench/baselines/insertDriver.ts');
  // The driver binds the body as $1 where pgbench substitutes :body.
  const input = JSON.stringify({
    url: ctx.db.url,
    connections,
    durationS: ctx.options.durationS,
    body,
    statement: statement.replace(':body', '$1'),
  });
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', program, input], { cwd: repoRoot });
    const dropCleanup = onCleanup('stop the insert driver', () => child.kill('SIGKILL'));
    child.once('exit', dropCleanup);
    let text = '';
    child.stdout.on('data', (chunk) => (text += chunk));
    child.stderr.on('data', (chunk) => process.stderr.write(chunk));
    child.once('exit', (code) =>
      code === 0 ? resolve(text) : reject(new Error(`The insert driver exited with ${code}.`)),
    );
  });
  return JSON.parse(output.trim().split('\n').pop()!) as Measured;
}
