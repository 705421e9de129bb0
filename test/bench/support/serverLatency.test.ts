import { describe, expect, test } from 'vitest';
import { countAbove, parseEventLoopMaxMs, parseIngestBuckets, quantileBetween } from './serverLatency.ts';

const metrics = (counts: [string, number][], status = '202') =>
  counts.map(([le, n]) => `hookpost_ingest_duration_seconds_bucket{le="${le}",status="${status}"} ${n}`).join('\n');

describe('the ingest histogram', () => {
  test('reads the 202 buckets only', () => {
    const text = [
      '# HELP hookpost_ingest_duration_seconds …',
      metrics([
        ['0.005', 1],
        ['0.01', 3],
        ['+Inf', 4],
      ]),
      metrics(
        [
          ['0.005', 9],
          ['0.01', 9],
          ['+Inf', 9],
        ],
        '401',
      ),
      'hookpost_ingest_duration_seconds_sum{status="202"} 0.2',
    ].join('\n');
    expect([...parseIngestBuckets(text)]).toEqual([
      [0.005, 1],
      [0.01, 3],
      [Number.POSITIVE_INFINITY, 4],
    ]);
  });

  test('quantiles of what was observed between two readings, interpolated in the bucket', () => {
    const before = parseIngestBuckets(
      metrics([
        ['0.01', 10],
        ['0.02', 10],
        ['0.05', 10],
        ['+Inf', 10],
      ]),
    );
    // Since then: 50 under 10 ms, 40 between 10 and 20 ms, 10 between 20 and 50 ms.
    const after = parseIngestBuckets(
      metrics([
        ['0.01', 60],
        ['0.02', 100],
        ['0.05', 110],
        ['+Inf', 110],
      ]),
    );
    expect(quantileBetween(before, after, 0.5)).toBeCloseTo(10, 6);
    expect(quantileBetween(before, after, 0.7)).toBeCloseTo(15, 6);
    expect(quantileBetween(before, after, 0.99)).toBeCloseTo(47, 6);
  });

  test('nothing observed, or a quantile past the last bound', () => {
    const same = parseIngestBuckets(
      metrics([
        ['0.01', 5],
        ['+Inf', 5],
      ]),
    );
    expect(quantileBetween(same, same, 0.99)).toBeNull();
    const slow = parseIngestBuckets(
      metrics([
        ['0.01', 5],
        ['+Inf', 105],
      ]),
    );
    expect(quantileBetween(same, slow, 0.99)).toBe(10);
  });

  test('how many took longer than a bound, between two readings', () => {
    const before = parseIngestBuckets(
      metrics([
        ['0.01', 10],
        ['0.025', 12],
        ['0.05', 13],
        ['+Inf', 13],
      ]),
    );
    const after = parseIngestBuckets(
      metrics([
        ['0.01', 100],
        ['0.025', 150],
        ['0.05', 160],
        ['+Inf', 171],
      ]),
    );
    // 158 observed since: 138 within 25 ms, 9 between 25 and 50 ms, 11 over 50 ms.
    expect(countAbove(before, after, 0.025)).toBe(20);
    expect(countAbove(before, after, 0.05)).toBe(11);
    expect(countAbove(before, after, 0.03)).toBeNull();
  });

  test("the api's longest event-loop stall", () => {
    expect(parseEventLoopMaxMs('# HELP …\nnodejs_eventloop_lag_max_seconds 0.0421\n')).toBeCloseTo(42.1, 6);
    expect(parseEventLoopMaxMs('nodejs_eventloop_lag_p99_seconds 0.01\n')).toBeNull();
  });
});
