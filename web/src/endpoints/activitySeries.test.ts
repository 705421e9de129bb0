import { describe, expect, test } from 'vitest';
import { activitySeries, bucketUnit, responseTimeSummary, successSummary, type Activity } from './activitySeries.ts';

const at = (minute: number) => new Date(Date.UTC(2026, 11, 2, 14, minute)).toISOString();
const label = (iso: string) => iso.slice(11, 16);

const activity = (buckets: Partial<Activity['buckets'][number]>[]): Activity => ({
  since: new Date(Date.UTC(2026, 11, 2, 14, 0, 30)).toISOString(),
  bucketSeconds: 60,
  buckets: buckets.map((bucket) => ({ at: at(0), succeeded: 0, failed: 0, p50Ms: null, p95Ms: null, ...bucket })),
  errors: [],
});

describe('an endpoint activity series', () => {
  test('one point per bucket from the window start to now: empty buckets have no rate and no latency', () => {
    const points = activitySeries(
      activity([{ at: at(1), succeeded: 3, failed: 1, p50Ms: 40, p95Ms: 90 }]),
      Date.parse(at(3)) + 10_000,
    );
    expect(points.map((point) => label(point.at))).toEqual(['14:00', '14:01', '14:02', '14:03']);
    expect(points[0]).toEqual({ at: at(0), succeeded: 0, failed: 0, successRate: null, p50Ms: null, p95Ms: null });
    expect(points[1]).toMatchObject({ succeeded: 3, failed: 1, successRate: 75, p50Ms: 40, p95Ms: 90 });
  });

  test('a bucket that began after the clock last ticked is drawn, not dropped', () => {
    const points = activitySeries(activity([{ at: at(3), failed: 2 }]), Date.parse(at(3)) - 1_000);
    expect(points.map((point) => label(point.at))).toEqual(['14:00', '14:01', '14:02', '14:03']);
    expect(points[3]).toMatchObject({ failed: 2, successRate: 0 });
  });

  test('the success chart in words: overall, the worst bucket and the latest', () => {
    const points = activitySeries(
      activity([
        { at: at(0), succeeded: 10, failed: 0 },
        { at: at(1), succeeded: 0, failed: 4 },
        { at: at(2), succeeded: 2, failed: 0 },
      ]),
      Date.parse(at(2)),
    );
    expect(successSummary(points, label, 'minute')).toBe(
      '75.0% of 16 attempts succeeded (4 failed). Lowest in the minute from 14:01: 0% of 4. Latest: 100% at 14:02.',
    );
    expect(successSummary(activitySeries(activity([]), Date.parse(at(2))), label, 'minute')).toBe(
      'No attempts in this window.',
    );
  });

  test('the response-time chart in words: the latest percentiles and the slowest bucket', () => {
    const points = activitySeries(
      activity([
        { at: at(0), succeeded: 1, p50Ms: 120, p95Ms: 2100 },
        { at: at(1), succeeded: 1, p50Ms: 80, p95Ms: 300 },
      ]),
      Date.parse(at(2)),
    );
    expect(responseTimeSummary(points, label, 'minute')).toBe(
      'Latest p50 80 ms, p95 300 ms; the slowest minute began at 14:00 (p95 2.1 s).',
    );
  });

  test('what one point covers', () => {
    expect([60, 720, 3600, 5040, 7200].map(bucketUnit)).toEqual([
      'minute',
      '12 minutes',
      'hour',
      '84 minutes',
      '2 hours',
    ]);
  });
});
