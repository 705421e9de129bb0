/**
 * The ratios that hold on noisy machines (Hookpost against this machine's own limits,
 * measured in the same run) and the targets of issues 5 and 14, judged from the rows.
 */
import type { BenchOptions } from '../options.ts';
import type { Row, ScenarioResult } from '../scenario.ts';
import { median } from '../support/stats.ts';

export interface Ratio {
  name: string;
  numerator: string;
  denominator: string;
  value: number;
}

export interface Target {
  name: string;
  goal: string;
  measured: string;
  /** null: not judged (not measured, or measured at a size the target does not speak of). */
  met: boolean | null;
  note?: string;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** Ingest / insert ceiling of each adjacent pair at 64 connections (rows `pair:N:ingest`, `pair:N:insert`), in pair order. */
export function pairedRatios(rows: Row[]): { pair: number; ingest: number; ceiling: number; value: number }[] {
  const out = [];
  for (let pair = 1; ; pair++) {
    const ingest = rows.find((r) => r.key === `pair:${pair}:ingest`);
    const ceiling = rows.find((r) => r.key === `pair:${pair}:insert`);
    if (!ingest || !ceiling) return out;
    if (ingest.rate && ceiling.rate)
      out.push({ pair, ingest: ingest.rate, ceiling: ceiling.rate, value: ingest.rate / ceiling.rate });
  }
}

const pct = (value: number) => `${Math.round(value * 100)} %`;

export function ratios(results: ScenarioResult[]): Ratio[] {
  const rows = results.flatMap((r) => r.rows);
  const byKey = (key: string) => rows.find((row) => row.key === key);
  const out: Ratio[] = [];
  const add = (name: string, top: Row | undefined, bottom: Row | undefined) => {
    if (top?.rate && bottom?.rate) {
      out.push({
        name,
        numerator: `${fmt(top.rate)} ${top.unit}`,
        denominator: `${fmt(bottom.rate)} ${bottom.unit}`,
        value: top.rate / bottom.rate,
      });
    }
  };
  for (const row of rows.filter((r) => r.key?.startsWith('ingest:') && r.key !== 'ingest:steady')) {
    const connections = row.key!.split(':')[1];
    add(`ingest / insert ceiling at ${connections} connections`, row, byKey(`insert:${connections}`));
  }
  for (const p of pairedRatios(rows)) {
    out.push({
      name: `ingest / insert ceiling at 64 connections, adjacent pair ${p.pair}`,
      numerator: `${fmt(p.ingest)} events/s`,
      denominator: `${fmt(p.ceiling)} tx/s`,
      value: p.value,
    });
  }
  add(
    'ingest at 64 connections / INSERT ceiling with pgbench (reference)',
    byKey('ingest:64'),
    byKey('insert-pgbench:64'),
  );
  add('INSERT + pg_notify / INSERT alone at 64 clients', byKey('insert-notify:64'), byKey('insert:64'));
  add('ingest at 64 connections / INSERT + pg_notify ceiling', byKey('ingest:64'), byKey('insert-notify:64'));
  add('delivery (fan-out 1) / queue ceiling', byKey('delivery:f1'), byKey('queue'));
  const fanout = rows.find((r) => r.key?.startsWith('delivery:f') && r.key !== 'delivery:f1');
  if (fanout)
    add(
      `delivery (${fanout.key!.slice('delivery:'.length).replace('f', 'fan-out ')}) / queue ceiling`,
      fanout,
      byKey('queue'),
    );
  add('delivery (fan-out 1) / batched queue ceiling', byKey('delivery:f1'), byKey('queue:batched'));
  add('delivery (fan-out 1) / network ceiling', byKey('delivery:f1'), byKey('network'));
  return out;
}

export function targets(results: ScenarioResult[], options: BenchOptions): Target[] {
  const rows = results.flatMap((r) => r.rows);
  const byKey = (key: string) => rows.find((row) => row.key === key);
  const out: Target[] = [];
  const full = options.mode === 'full';

  // Judged on the adjacent pairs when there are any; the sweep's figure (its ceiling
  // measured minutes earlier) is shown beside them.
  const ingest = byKey('ingest:64');
  const insert = byKey('insert:64');
  const sweep =
    ingest?.rate && insert?.rate
      ? `${pct(ingest.rate / insert.rate)} (${fmt(ingest.rate)} / ${fmt(insert.rate)})`
      : undefined;
  const pairs = pairedRatios(rows);
  if (pairs.length > 0) {
    const value = median(pairs.map((p) => p.value));
    out.push({
      name: 'ingest at 64 connections',
      goal: '≥ 70 % of the insert ceiling',
      measured: `${pct(value)}: ${pairs.length === 1 ? 'one adjacent pair' : `median of ${pairs.length} adjacent pairs (${pairs.map((p) => pct(p.value)).join(', ')})`}${sweep ? `; ceiling minutes apart: ${sweep}` : ''}`,
      met: full ? value >= 0.7 : null,
    });
  } else {
    out.push(
      sweep
        ? {
            name: 'ingest at 64 connections',
            goal: '≥ 70 % of the insert ceiling',
            measured: sweep,
            met: full ? ingest!.rate! / insert!.rate! >= 0.7 : null,
          }
        : {
            name: 'ingest at 64 connections',
            goal: '≥ 70 % of the insert ceiling',
            measured: 'not measured',
            met: null,
          },
    );
  }

  const steady = byKey('ingest:steady');
  const at2000 = options.ingestRate === 2000;
  out.push(
    steady
      ? {
          name: `ingest p99 at ${fmt(options.ingestRate)} events/s`,
          goal: '≤ 25 ms at 2,000 events/s',
          measured:
            `p99 ${(steady.p99 ?? 0).toFixed(1)} ms at ${fmt(steady.rate ?? 0)}/s` +
            (steady.serverP99 === undefined ? '' : ` (inside Hookpost: p99 ${steady.serverP99.toFixed(1)} ms)`),
          met: full && at2000 ? (steady.p99 ?? Infinity) <= 25 && (steady.rate ?? 0) >= 0.95 * 2000 : null,
          note: at2000 ? undefined : 'run at another rate',
        }
      : { name: 'ingest p99 at 2,000 events/s', goal: '≤ 25 ms', measured: 'not measured', met: null },
  );

  const delivery = byKey('delivery:f1');
  const queue = byKey('queue');
  out.push(
    delivery?.rate && queue?.rate
      ? {
          name: 'delivery (fan-out 1)',
          goal: '≥ 100 % of the queue ceiling',
          measured: `${Math.round((delivery.rate / queue.rate) * 100)} % (${fmt(delivery.rate)} / ${fmt(queue.rate)})`,
          met: full ? delivery.rate >= queue.rate : null,
        }
      : { name: 'delivery (fan-out 1)', goal: '≥ 100 % of the queue ceiling', measured: 'not measured', met: null },
  );

  const e2e = byKey('e2e');
  out.push(
    e2e
      ? {
          name: `ingest → delivered p50 at ${fmt(options.e2eRate)} events/s`,
          goal: '≤ 25 ms at 500 events/s',
          measured: `p50 ${e2e.p50?.toFixed(1)} ms (p99 ${e2e.p99?.toFixed(1)} ms)`,
          met: full && options.e2eRate === 500 ? (e2e.p50 ?? Infinity) <= 25 : null,
        }
      : { name: 'ingest → delivered p50', goal: '≤ 25 ms at 500 events/s', measured: 'not measured', met: null },
  );

  const deliveryResult = results.find((r) => r.name === 'delivery');
  const backlogMemory = deliveryResult?.memory.filter((m) => m.peakRssMb !== null) ?? [];
  if (backlogMemory.length > 0) {
    const worst = backlogMemory.reduce((a, b) => ((a.peakRssMb ?? 0) >= (b.peakRssMb ?? 0) ? a : b));
    out.push({
      name: `Hookpost RSS with a ${fmt(options.backlog)}-event backlog`,
      goal: '≤ 250 MB with 100k events',
      measured: `${Math.round(worst.peakRssMb!)} MB peak (${worst.process})`,
      met: full && options.backlog >= 100_000 ? worst.peakRssMb! <= 250 : null,
      note: options.backlog >= 100_000 ? undefined : 'smaller backlog',
    });
  } else {
    out.push({ name: 'Hookpost RSS with a 100k-event backlog', goal: '≤ 250 MB', measured: 'not measured', met: null });
  }

  // Same-run ratio, so judged in short mode too: the isolation either holds or it does not.
  // The baseline is the phase with the same traffic and no bad endpoint (its events go to
  // a mailbox without endpoints); reports from before that phase have only "alone".
  const alone = byKey('noisy:healthy-alone');
  const withoutTarpit = byKey('noisy:healthy-without-tarpit');
  const baseline = withoutTarpit ?? alone;
  const besideTarpit = byKey('noisy:healthy-tarpit');
  const besideNeighbour = byKey('noisy:healthy-neighbour');
  const againstAlone =
    withoutTarpit && alone?.p50 && alone.p99 && besideTarpit?.p50 !== undefined && besideTarpit.p99 !== undefined
      ? `; alone (half the traffic) p50 ${alone.p50.toFixed(1)} ms, p99 ${alone.p99.toFixed(1)} ms ` +
        `(${(besideTarpit.p50 / alone.p50).toFixed(2)}× / ${(besideTarpit.p99 / alone.p99).toFixed(2)}×)`
      : '';
  const neighbourNote =
    besideNeighbour?.p50 && besideNeighbour.p99 && besideTarpit?.p50 !== undefined && besideTarpit.p99 !== undefined
      ? `; beside a healthy neighbour at the same rate p50 ${besideNeighbour.p50.toFixed(1)} ms, p99 ${besideNeighbour.p99.toFixed(1)} ms ` +
        `(the tarpit's badness alone: ${(besideTarpit.p50 / besideNeighbour.p50).toFixed(2)}× / ${(besideTarpit.p99 / besideNeighbour.p99).toFixed(2)}×)`
      : '';
  if (baseline?.p50 && baseline.p99 && besideTarpit?.p50 !== undefined && besideTarpit.p99 !== undefined) {
    const p50 = besideTarpit.p50 / baseline.p50;
    const p99 = besideTarpit.p99 / baseline.p99;
    out.push({
      name: 'healthy endpoints beside a tarpit endpoint, ingest → delivered',
      goal: 'p50 and p99 ≤ 1.5× the same run without it',
      measured:
        `p50 ${besideTarpit.p50.toFixed(1)} ms (${p50.toFixed(2)}×), p99 ${besideTarpit.p99.toFixed(1)} ms (${p99.toFixed(2)}×); ` +
        `${withoutTarpit ? 'without it' : 'alone'} p50 ${baseline.p50.toFixed(1)} ms, p99 ${baseline.p99.toFixed(1)} ms${againstAlone}${neighbourNote}`,
      met: p50 <= 1.5 && p99 <= 1.5,
      note: full ? undefined : `short phases (${options.noisyS} s each)`,
    });
  } else {
    out.push({
      name: 'healthy endpoints beside a tarpit endpoint',
      goal: 'p50 and p99 ≤ 1.5× without it',
      measured: 'not measured',
      met: null,
    });
  }

  // The target is GraphQL's; REST stands in when GraphQL was not measured.
  const measuredKinds = new Set(rows.filter((r) => r.key?.startsWith('events-list:')).map((r) => r.key!.split(':')[1]));
  const kind = measuredKinds.has('graphql') ? 'graphql' : 'rest';
  const list = rows.filter((r) => r.key?.startsWith(`events-list:${kind}:`));
  if (list.length > 0) {
    const worst = list.reduce((a, b) => ((a.p50 ?? 0) >= (b.p50 ?? 0) ? a : b));
    const apiKind = worst.case.split(':')[0];
    out.push({
      name: `events list, first page with filters (${apiKind})`,
      goal: '≤ 50 ms with 1M events (GraphQL)',
      measured: `slowest case p50 ${worst.p50?.toFixed(1)} ms, p99 ${worst.p99?.toFixed(1)} ms ("${worst.case.split(': ')[1]}")`,
      met: full && options.listEvents >= 1_000_000 ? (worst.p50 ?? Infinity) <= 50 : null,
      note:
        [
          apiKind === 'rest' ? 'measured on REST: GraphQL not available' : '',
          options.listEvents >= 1_000_000 ? '' : 'fewer events',
        ]
          .filter(Boolean)
          .join('; ') || undefined,
    });
  } else {
    out.push({ name: 'events list query', goal: '≤ 50 ms with 1M events', measured: 'not measured', met: null });
  }
  return out;
}
