/**
 * Open-loop load at a steady rate, through undici's connection pool: request n is sent
 * at start + n / rate, whether or not earlier answers came back, and its latency is
 * counted from that intended moment (so a stall is not hidden by requests not sent).
 *
 * autocannon's own rate limit is a per-connection budget per second: every connection
 * fires its whole budget at the top of each second, then idles. That measures how fast
 * a burst drains, not the latency at a steady rate, which is what the rate targets ask.
 *
 * A steady rate is measured after `warmupS` seconds at that rate (the same pacing, no
 * pause): switching from the closed-loop runs to this one cost the first second up to a
 * few hundred ms per request (new connections, this client's code compiled for the first
 * time, Hookpost going from bursts to a trickle), which is the change of load, not the
 * rate. The warm-up's answers still count as errors and their tracking numbers are kept.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Pool } from 'undici';
import type { LoadOptions, LoadResult } from './loadGenerator.ts';
import { summarize } from './stats.ts';

export async function runPacedLoad(options: LoadOptions & { overallRate: number }): Promise<LoadResult> {
  const url = new URL(options.url);
  const pool = new Pool(url.origin, { connections: options.connections, pipelining: 1 });
  const intervalMs = 1000 / options.overallRate;
  const warmup = Math.round(options.overallRate * (options.warmupS ?? 0));
  const total = warmup + (options.amount ?? Math.round(options.overallRate * (options.durationS ?? 10)));
  const latencies: number[] = [];
  const trackingNumbers: string[] = [];
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  let sent = 0;
  const pending = new Set<Promise<void>>();
  let sendLagMaxMs = 0;
  // More requests in flight than connections means the rest wait in undici's queue.
  let inFlightMax = 0;
  const eventLoop = monitorEventLoopDelay({ resolution: 5 });
  const start = performance.now();

  const send = (index: number, intendedAt: number) => {
    const counted = index >= warmup;
    const request = pool
      .request({
        method: options.method ?? 'GET',
        path: `${url.pathname}${url.search}`,
        headers: options.headers,
        body: options.body,
      })
      .then(async (response) => {
        const text = await response.body.text();
        if (counted) latencies.push(performance.now() - intendedAt);
        if (response.statusCode >= 200 && response.statusCode < 300) {
          if (counted) ok++;
          if (options.collectTrackingNumbers && response.statusCode === 202)
            trackingNumbers.push((JSON.parse(text) as { tracking_number: string }).tracking_number);
        } else non2xx++;
      })
      .catch(() => {
        errors++;
      });
    pending.add(request);
    if (counted) inFlightMax = Math.max(inFlightMax, pending.size);
    void request.finally(() => pending.delete(request));
  };

  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor((performance.now() - start) / intervalMs) + 1);
      while (sent < due) {
        if (sent === warmup) {
          options.onWindowStart?.();
          eventLoop.enable();
        }
        const intendedAt = start + sent * intervalMs;
        if (sent >= warmup) sendLagMaxMs = Math.max(sendLagMaxMs, performance.now() - intendedAt);
        send(sent, intendedAt);
        sent++;
      }
      if (sent < total) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  await Promise.all(pending);
  eventLoop.disable();
  const durationS = (performance.now() - start) / 1000 - warmup / options.overallRate;
  await pool.close();
  const summary = summarize(latencies);
  return {
    ok,
    non2xx,
    errors,
    durationS,
    rate: ok / durationS,
    latency: { p50: summary.p50, p99: summary.p99, max: summary.max, mean: summary.mean },
    trackingNumbers,
    generator: {
      sendLagMaxMs,
      eventLoopMaxMs: eventLoop.max / 1e6,
      waitingForConnectionMax: Math.max(0, inFlightMax - options.connections),
      slowerThanCount:
        options.countOverMs === undefined ? undefined : latencies.filter((ms) => ms > options.countOverMs!).length,
    },
  };
}
