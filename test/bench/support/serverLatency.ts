/**
 * Hookpost's own view of ingest latency: `hookpost_ingest_duration_seconds` (from the
 * request reaching Hookpost to the end of its answer) read from /metrics before and
 * after a run, with the api's longest event-loop stall in between. The load generator's figure adds what happens outside Hookpost: above
 * all, at a steady rate a request waits for one of the producer's connections whenever
 * all of them still wait for answers, so a short stall inside Hookpost grows into a
 * longer one outside. Reporting both says which side a tail comes from.
 */

/** Cumulative count per upper bound (seconds; Infinity for +Inf), as Prometheus exposes it. */
export type Buckets = Map<number, number>;

const METRIC = 'hookpost_ingest_duration_seconds_bucket';

/** The 202 buckets of the ingest histogram in a /metrics text. */
export function parseIngestBuckets(text: string, status = '202'): Buckets {
  const buckets: Buckets = new Map();
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${METRIC}{`)) continue;
    const labels = line.slice(METRIC.length + 1, line.indexOf('}'));
    if (!labels.split(',').includes(`status="${status}"`)) continue;
    const le = /le="([^"]+)"/.exec(labels)?.[1];
    if (le === undefined) continue;
    buckets.set(le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le), Number(line.slice(line.lastIndexOf(' ') + 1)));
  }
  return buckets;
}

/**
 * The q-quantile (0..1) in ms of what was observed between two readings, interpolated
 * linearly inside its bucket as Prometheus's histogram_quantile does. Null when nothing
 * was observed; the last finite bound when the quantile lies in the +Inf bucket.
 */
export function quantileBetween(before: Buckets, after: Buckets, q: number): number | null {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const counts = bounds.map((le) => (after.get(le) ?? 0) - (before.get(le) ?? 0));
  const total = counts.at(-1) ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  for (let i = 0; i < bounds.length; i++) {
    if (counts[i]! < rank) continue;
    const upper = bounds[i]!;
    const lower = i === 0 ? 0 : bounds[i - 1]!;
    if (!Number.isFinite(upper)) return lower * 1000;
    const below = i === 0 ? 0 : counts[i - 1]!;
    const inBucket = counts[i]! - below;
    return (lower + (upper - lower) * (inBucket === 0 ? 1 : (rank - below) / inBucket)) * 1000;
  }
  return null;
}

/**
 * How many observations between two readings took longer than `seconds`, which must be
 * one of the histogram's bounds (null otherwise, or when nothing was read). Beside the
 * generator's own count it says whether a cluster of slow requests was inside Hookpost:
 * a p99 cannot, when the cluster is under 1 % of the requests.
 */
export function countAbove(before: Buckets, after: Buckets, seconds: number): number | null {
  if (!after.has(seconds) || !after.has(Number.POSITIVE_INFINITY)) return null;
  const total = after.get(Number.POSITIVE_INFINITY)! - (before.get(Number.POSITIVE_INFINITY) ?? 0);
  return total - (after.get(seconds)! - (before.get(seconds) ?? 0));
}

/**
 * The api's longest event-loop stall since the previous read of /metrics, in ms (Node's
 * own monitor, which prom-client resets at every read), or null when not exposed. A
 * request that arrives during a stall waits before Hookpost's clock starts, so a stall
 * shows here and not in the histogram.
 */
export function parseEventLoopMaxMs(text: string): number | null {
  const line = text.split('\n').find((l) => l.startsWith('nodejs_eventloop_lag_max_seconds '));
  return line === undefined ? null : Number(line.slice(line.lastIndexOf(' ') + 1)) * 1000;
}

export interface ApiReading {
  ingest: Buckets;
  eventLoopMaxMs: number | null;
}

export async function readApiMetrics(opsUrl: string): Promise<ApiReading> {
  const response = await fetch(`${opsUrl}/metrics`);
  if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`);
  const text = await response.text();
  return { ingest: parseIngestBuckets(text), eventLoopMaxMs: parseEventLoopMaxMs(text) };
}
