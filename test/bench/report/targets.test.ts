import { describe, expect, test } from 'vitest';
import type { BenchOptions } from '../options.ts';
import type { Row, ScenarioResult } from '../scenario.ts';
import { median } from '../support/stats.ts';
import { pairedRatios, targets } from './targets.ts';

const row = (key: string, rate: number): Row => ({ scenario: 'ingest', case: key, key, rate });
const result = (rows: Row[]): ScenarioResult[] => [
  { name: 'ingest', setup: '', rows, checks: [], memory: [], cpu: [], statements: [], waits: [], notes: [] },
];
const full = { mode: 'full', ingestRate: 2000, e2eRate: 500, backlog: 100_000, listEvents: 1_000_000 } as BenchOptions;

describe('the ingest ratio target', () => {
  test('pairs are read in order and stop at the first incomplete one', () => {
    const rows = [
      row('pair:1:insert', 10_000),
      row('pair:1:ingest', 6_000),
      row('pair:2:ingest', 8_000),
      row('pair:2:insert', 10_000),
      row('pair:3:insert', 9_000),
    ];
    expect(pairedRatios(rows).map((p) => p.value)).toEqual([0.6, 0.8]);
  });

  test('median of odd and even counts', () => {
    expect(median([0.9, 0.5, 0.7])).toBe(0.7);
    expect(median([0.6, 0.8])).toBeCloseTo(0.7);
  });

  test('judged on the median of the adjacent pairs, not on the sweep whose ceiling ran minutes earlier', () => {
    const rows = [
      row('insert:64', 14_000),
      row('ingest:64', 9_000), // 64 %: the sweep alone would fail
      row('pair:1:insert', 12_000),
      row('pair:1:ingest', 9_000), // 75 %
      row('pair:2:ingest', 8_000),
      row('pair:2:insert', 12_500), // 64 %
      row('pair:3:insert', 11_000),
      row('pair:3:ingest', 8_000), // 73 %
    ];
    const [ratio] = targets(result(rows), full);
    expect(ratio!.met).toBe(true);
    expect(ratio!.measured).toBe(
      '73 %: median of 3 adjacent pairs (75 %, 64 %, 73 %); ceiling minutes apart: 64 % (9,000 / 14,000)',
    );
    const [failing] = targets(
      result(rows.map((r) => (r.key?.endsWith(':ingest') ? { ...r, rate: r.rate! * 0.8 } : r))),
      full,
    );
    expect(failing!.met).toBe(false);
  });

  test('without pairs, the sweep decides; short mode judges nothing', () => {
    const rows = [row('insert:64', 10_000), row('ingest:64', 7_500)];
    expect(targets(result(rows), full)[0]!.met).toBe(true);
    expect(targets(result(rows), { ...full, mode: 'short' })[0]!.met).toBeNull();
  });
});

describe('the noisy-neighbour target', () => {
  const noisy = (alone: [number, number], beside: [number, number]): Row[] => [
    { scenario: 'noisy-neighbour', case: 'alone', key: 'noisy:healthy-alone', p50: alone[0], p99: alone[1] },
    { scenario: 'noisy-neighbour', case: 'beside', key: 'noisy:healthy-tarpit', p50: beside[0], p99: beside[1] },
  ];
  const judged = (rows: Row[], mode: 'full' | 'short' = 'full') =>
    targets(result(rows), { ...full, mode, noisyS: 8 }).find((t) => t.name.startsWith('healthy endpoints beside'))!;

  test('met when both p50 and p99 stay within 1.5× the same run without the tarpit, in short mode too', () => {
    expect(judged(noisy([10, 40], [14, 60])).met).toBe(true);
    expect(judged(noisy([10, 40], [14, 60]), 'short').met).toBe(true);
    expect(judged(noisy([10, 40], [14, 60])).measured).toBe(
      'p50 14.0 ms (1.40×), p99 60.0 ms (1.50×); alone p50 10.0 ms, p99 40.0 ms',
    );
  });

  test('judged against the same traffic without the bad endpoint when the run has that phase', () => {
    const rows: Row[] = [
      ...noisy([5, 40], [14, 60]),
      { scenario: 'noisy-neighbour', case: 'without', key: 'noisy:healthy-without-tarpit', p50: 10, p99: 50 },
    ];
    expect(judged(rows).met).toBe(true);
    expect(judged(rows).measured).toBe(
      'p50 14.0 ms (1.40×), p99 60.0 ms (1.20×); without it p50 10.0 ms, p99 50.0 ms; alone (half the traffic) p50 5.0 ms, p99 40.0 ms (2.80× / 1.50×)',
    );
    rows[2]!.p50 = 9;
    expect(judged(rows).met).toBe(false);
  });

  test('missed when either grows past 1.5×; not judged when not measured', () => {
    expect(judged(noisy([10, 40], [16, 50])).met).toBe(false);
    expect(judged(noisy([10, 40], [10, 400])).met).toBe(false);
    expect(judged([]).met).toBeNull();
  });
});
