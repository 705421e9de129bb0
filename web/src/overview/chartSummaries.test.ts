import { describe, expect, test } from 'vitest';
import { attemptsSummary, latencySummary, receivedSummary } from './chartSummaries.ts';
import { bucketActivity, bucketAttempts, bucketMinutes } from './overviewRange.ts';

const label = (iso: string) => iso.slice(11, 16);
const minute = (i: number) => new Date(Date.UTC(2026, 10, 28, 10, i)).toISOString();

describe('the charts in words', () => {
  test('events: the total and the busiest minute', () => {
    const points = [0, 3, 87, 2].map((received, i) => ({ minute: minute(i), received }));
    expect(receivedSummary(points, label, 'minute')).toBe(
      '92 events received; the busiest minute began at 10:02 with 87.',
    );
    expect(receivedSummary([{ minute: minute(0), received: 0 }], label, 'minute')).toBe(
      'No events received in this window.',
    );
  });

  test('attempts: succeeded, failed and where the failures were', () => {
    const points = [
      { minute: minute(0), succeeded: 10, failed: 0 },
      { minute: minute(1), succeeded: 4, failed: 6 },
    ];
    expect(attemptsSummary(points, label, 'minute')).toBe(
      '20 attempts: 14 succeeded, 6 failed. Most failures in the minute from 10:01 (6).',
    );
  });

  test('latency: the latest and the slowest', () => {
    const points = [
      { minute: minute(0), received: 1, p50Ms: 40, p95Ms: 900 },
      { minute: minute(1), received: 1, p50Ms: 30, p95Ms: 120 },
      { minute: minute(2), received: 0, p50Ms: null, p95Ms: null },
    ];
    expect(latencySummary(points, label, 'minute')).toBe(
      'Latest p50 30 ms, p95 120 ms; the slowest minute began at 10:00 (p95 900 ms).',
    );
  });
});

describe('long windows in buckets', () => {
  test('a day of minutes becomes at most 120 points; counts add up, latency keeps the worst minute', () => {
    const day = Array.from({ length: 1440 }, (_, i) => ({
      minute: minute(i),
      received: 1,
      succeeded: 1,
      failed: i % 2,
      p50Ms: i === 5 ? 999 : 10,
      p95Ms: 20,
    }));
    const activity = bucketActivity(day);
    expect(activity).toHaveLength(120);
    expect(activity[0]).toEqual({ minute: minute(0), received: 12, p50Ms: 999, p95Ms: 20 });
    expect(bucketAttempts(day)[1]).toEqual({ minute: minute(12), succeeded: 12, failed: 6 });
    expect(bucketMinutes(1440)).toBe(12);
    expect(bucketActivity(day.slice(0, 60))).toHaveLength(60);
  });
});
