/**
 * Each chart in a sentence: what a screen reader says instead of the picture, and what
 * everyone reads above it ("1,204 events; busiest 10:31 with 87"). Pure and tested.
 */
import { formatCount, formatDuration } from '../ui/format.ts';
import type { ActivityPoint, AttemptsPoint } from './overviewRange.ts';

export type TimeLabel = (iso: string) => string;

function peak<T>(points: T[], value: (point: T) => number): T | undefined {
  let best: T | undefined;
  for (const point of points) if (value(point) > 0 && (!best || value(point) > value(best))) best = point;
  return best;
}

export function receivedSummary(points: ActivityPoint[], label: TimeLabel, unit: string): string {
  const total = points.reduce((sum, point) => sum + point.received, 0);
  if (total === 0) return 'No events received in this window.';
  const top = peak(points, (point) => point.received)!;
  return `${formatCount(total)} event${total === 1 ? '' : 's'} received; the busiest ${unit} began at ${label(top.minute)} with ${formatCount(top.received)}.`;
}

export function attemptsSummary(points: AttemptsPoint[], label: TimeLabel, unit: string): string {
  const succeeded = points.reduce((sum, point) => sum + point.succeeded, 0);
  const failed = points.reduce((sum, point) => sum + point.failed, 0);
  if (succeeded + failed === 0) return 'No attempts in this window.';
  const parts = [
    `${formatCount(succeeded + failed)} attempts: ${formatCount(succeeded)} succeeded, ${formatCount(failed)} failed.`,
  ];
  const worst = peak(points, (point) => point.failed);
  if (worst) parts.push(`Most failures in the ${unit} from ${label(worst.minute)} (${formatCount(worst.failed)}).`);
  return parts.join(' ');
}

export function latencySummary(points: ActivityPoint[], label: TimeLabel, unit: string): string {
  const measured = points.filter((point) => typeof point.p95Ms === 'number');
  if (measured.length === 0) return 'Nothing was delivered in this window, so there is no latency to show.';
  const worst = peak(measured, (point) => point.p95Ms ?? 0) ?? measured[0]!;
  const last = measured[measured.length - 1]!;
  return `Latest p50 ${formatDuration(last.p50Ms)}, p95 ${formatDuration(last.p95Ms)}; the slowest ${unit} began at ${label(worst.minute)} (p95 ${formatDuration(worst.p95Ms)}).`;
}
