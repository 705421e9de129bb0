/**
 * An endpoint's activity as the health page draws it: the server leaves empty buckets
 * out, the charts want one point per bucket from the window's start to now (an empty
 * bucket has no success rate and no latency, which is not 0 %). And each chart in a
 * sentence, for the caption everyone reads and screen readers read instead of the
 * picture. Pure, so it is tested without a browser.
 */
import type { EndpointHealthQuery } from '../generated/graphql.ts';
import { formatCount, formatDuration } from '../ui/format.ts';

export type Activity = NonNullable<EndpointHealthQuery['endpoint']>['activity'];

export interface ActivityPoint {
  /** The bucket's start. */
  at: string;
  succeeded: number;
  failed: number;
  /** Share of the bucket's attempts that succeeded, in percent; null without attempts. */
  successRate: number | null;
  p50Ms: number | null;
  p95Ms: number | null;
}

export const activityWindows = {
  '1h': { minutes: 60, label: 'Last hour' },
  '24h': { minutes: 24 * 60, label: 'Last 24 hours' },
  '7d': { minutes: 7 * 24 * 60, label: 'Last 7 days' },
} as const;
export type ActivityWindow = keyof typeof activityWindows;

export const activityWindowOf = (value: string | null): ActivityWindow =>
  value && value in activityWindows ? (value as ActivityWindow) : '1h';

export function activitySeries(activity: Activity, now: number): ActivityPoint[] {
  const step = activity.bucketSeconds * 1000;
  const byStart = new Map(activity.buckets.map((bucket) => [Date.parse(bucket.at), bucket]));
  const points: ActivityPoint[] = [];
  // The page's clock ticks every few seconds, so the server may already know a bucket
  // that began after its last tick: the series runs to whichever is later.
  const end = Math.max(now, ...byStart.keys());
  // Buckets start on multiples of their length since the epoch, as the server cuts them.
  for (let at = Math.floor(Date.parse(activity.since) / step) * step; at <= end; at += step) {
    const bucket = byStart.get(at);
    const succeeded = bucket?.succeeded ?? 0;
    const failed = bucket?.failed ?? 0;
    const attempts = succeeded + failed;
    points.push({
      at: new Date(at).toISOString(),
      succeeded,
      failed,
      successRate: attempts > 0 ? Math.round((succeeded / attempts) * 1000) / 10 : null,
      p50Ms: bucket?.p50Ms ?? null,
      p95Ms: bucket?.p95Ms ?? null,
    });
  }
  return points;
}

/** "minute", "12 minutes": what one point covers, for captions. */
export function bucketUnit(bucketSeconds: number): string {
  const minutes = Math.round(bucketSeconds / 60);
  if (minutes <= 1) return 'minute';
  if (minutes % 60 === 0) return minutes === 60 ? 'hour' : `${minutes / 60} hours`;
  return `${minutes} minutes`;
}

/** "75.0%", and "0%" or "100%" exactly. */
export const formatPercent = (value: number) => `${value.toFixed(value === 100 || value === 0 ? 0 : 1)}%`;

export function successSummary(points: ActivityPoint[], label: (iso: string) => string, unit: string): string {
  const succeeded = points.reduce((sum, point) => sum + point.succeeded, 0);
  const failed = points.reduce((sum, point) => sum + point.failed, 0);
  const attempts = succeeded + failed;
  if (attempts === 0) return 'No attempts in this window.';
  const parts = [
    `${formatPercent((succeeded / attempts) * 100)} of ${formatCount(attempts)} attempt${attempts === 1 ? '' : 's'} succeeded (${formatCount(failed)} failed).`,
  ];
  let worst: ActivityPoint | undefined;
  for (const point of points)
    if (point.successRate !== null && point.failed > 0 && (!worst || point.successRate < worst.successRate!))
      worst = point;
  if (worst)
    parts.push(
      `Lowest in the ${unit} from ${label(worst.at)}: ${formatPercent(worst.successRate!)} of ${formatCount(worst.succeeded + worst.failed)}.`,
    );
  const last = points.findLast((point) => point.successRate !== null);
  if (last && last !== worst) parts.push(`Latest: ${formatPercent(last.successRate!)} at ${label(last.at)}.`);
  return parts.join(' ');
}

export function responseTimeSummary(points: ActivityPoint[], label: (iso: string) => string, unit: string): string {
  const measured = points.filter((point) => point.p95Ms !== null);
  if (measured.length === 0) return 'No attempts in this window, so there are no response times to show.';
  let slowest = measured[0]!;
  for (const point of measured) if (point.p95Ms! > slowest.p95Ms!) slowest = point;
  const last = measured[measured.length - 1]!;
  return `Latest p50 ${formatDuration(last.p50Ms)}, p95 ${formatDuration(last.p95Ms)}; the slowest ${unit} began at ${label(slowest.at)} (p95 ${formatDuration(slowest.p95Ms)}).`;
}
