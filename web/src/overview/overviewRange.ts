/**
 * The overview's time window (in the URL as `?range=24h`) and how its minute-by-minute
 * series are drawn: a day is 1,440 minutes and a week 10,080, more bars than a chart has
 * pixels, so minutes are gathered into at most MAX_POINTS buckets. Counts add up; for
 * latency a bucket shows its worst minute (percentiles of different minutes cannot be
 * combined, and the worst is what on-call looks for). Pure, so it is tested without a browser.
 */
export const overviewRanges = {
  '1h': { ms: 3_600_000, label: 'Last hour' },
  '6h': { ms: 6 * 3_600_000, label: 'Last 6 hours' },
  '24h': { ms: 24 * 3_600_000, label: 'Last 24 hours' },
  '7d': { ms: 7 * 24 * 3_600_000, label: 'Last 7 days' },
} as const;
export type OverviewRange = keyof typeof overviewRanges;

export const rangeOf = (value: string | null): OverviewRange =>
  value && value in overviewRanges ? (value as OverviewRange) : '1h';

const MAX_POINTS = 120;

export interface AttemptsPoint {
  minute: string;
  succeeded: number;
  failed: number;
}
export interface ActivityPoint {
  minute: string;
  received: number;
  p50Ms?: number | null;
  p95Ms?: number | null;
}

function buckets<T>(points: T[], maxPoints: number): T[][] {
  const size = Math.max(1, Math.ceil(points.length / maxPoints));
  const out: T[][] = [];
  for (let i = 0; i < points.length; i += size) out.push(points.slice(i, i + size));
  return out;
}

const worst = (values: (number | null | undefined)[]) => {
  const present = values.filter((value): value is number => typeof value === 'number');
  return present.length ? Math.max(...present) : null;
};

export function bucketAttempts(points: AttemptsPoint[], maxPoints = MAX_POINTS): AttemptsPoint[] {
  if (points.length <= maxPoints) return points;
  return buckets(points, maxPoints).map((group) => ({
    minute: group[0]!.minute,
    succeeded: group.reduce((sum, point) => sum + point.succeeded, 0),
    failed: group.reduce((sum, point) => sum + point.failed, 0),
  }));
}

export function bucketActivity(points: ActivityPoint[], maxPoints = MAX_POINTS): ActivityPoint[] {
  if (points.length <= maxPoints) return points;
  return buckets(points, maxPoints).map((group) => ({
    minute: group[0]!.minute,
    received: group.reduce((sum, point) => sum + point.received, 0),
    p50Ms: worst(group.map((point) => point.p50Ms)),
    p95Ms: worst(group.map((point) => point.p95Ms)),
  }));
}

/** Minutes per bucket, for the charts' captions ("per minute", "per 12 minutes"). */
export const bucketMinutes = (points: number, maxPoints = MAX_POINTS) => Math.max(1, Math.ceil(points / maxPoints));
