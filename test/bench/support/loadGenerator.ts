/**
 * The load generator: autocannon, a well-kept HTTP benchmarking tool, run in the bench
 * process, as fast as answers come; at a set rate, undici's pool paced open-loop
 * (pacedLoad.ts), because autocannon's rate limit sends each second's requests in one
 * burst. For ingest it also keeps every tracking number Hookpost answered with, so the
 * checks can look each one up in the database afterwards.
 */
import autocannon from 'autocannon';
import { runPacedLoad } from './pacedLoad.ts';

export interface LoadOptions {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  /** Seconds; ignored when `amount` is given. */
  durationS?: number;
  /** Stop after this many responses. */
  amount?: number;
  /** Requests per second across all connections; unset = as fast as answers come. */
  overallRate?: number;
  /**
   * With `overallRate`: seconds at the rate before the measured window, on the same
   * connections, whose latencies are not counted (their answers are still checked).
   */
  warmupS?: number;
  /** With `overallRate`: called as the measured window begins (after the warm-up). */
  onWindowStart?: () => void;
  /** Keep `tracking_number` from each 2xx JSON answer. */
  collectTrackingNumbers?: boolean;
  /** With `overallRate`: also count the measured requests slower than this (ms). */
  countOverMs?: number;
}

export interface LoadResult {
  /** 2xx answers. */
  ok: number;
  non2xx: number;
  /** Connection errors and timeouts. */
  errors: number;
  durationS: number;
  /** 2xx answers per second. */
  rate: number;
  latency: { p50: number; p99: number; max: number; mean: number };
  trackingNumbers: string[];
  /**
   * At a steady rate, over the measured window: how late the generator itself sent a
   * request at worst, its longest event-loop stall, and the most requests that waited
   * for a free connection (every connection still waiting for an answer). A latency the
   * generator or its connections caused shows here, not in Hookpost's own figures.
   */
  generator?: {
    sendLagMaxMs: number;
    eventLoopMaxMs: number;
    waitingForConnectionMax: number;
    slowerThanCount?: number;
  };
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  if (options.overallRate) return runPacedLoad({ ...options, overallRate: options.overallRate });
  const trackingNumbers: string[] = [];
  const request: autocannon.Request = {
    method: options.method ?? 'GET',
    headers: options.headers,
    body: options.body,
  };
  if (options.collectTrackingNumbers) {
    request.onResponse = (status: number, body: string) => {
      if (status === 202) trackingNumbers.push((JSON.parse(body) as { tracking_number: string }).tracking_number);
    };
  }
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.durationS ?? 10,
    amount: options.amount,
    overallRate: options.overallRate,
    timeout: 30,
    requests: [request],
  });
  return {
    ok: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    durationS: result.duration,
    rate: result['2xx'] / result.duration,
    latency: {
      p50: result.latency.p50,
      p99: result.latency.p99,
      max: result.latency.max,
      mean: result.latency.average,
    },
    trackingNumbers,
  };
}
