/**
 * The tracer provider against real collectors on this machine: what start-up logs about
 * the collector, and how long shutdown waits on one that never answers.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { loadConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { startTracing } from './tracing.ts';

const toStop: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const stop of toStop.splice(0).reverse()) await stop();
});

/** A logger whose lines (parsed JSON) land in the returned array. */
function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    level: 'info',
    pretty: false,
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  return { logger, lines };
}

async function start(env: Record<string, string>, logger: ReturnType<typeof capturedLogger>['logger']) {
  const config = loadConfig(env);
  return startTracing(config.tracing!, { role: 'all', logger });
}

describe('tracing', () => {
  test('start-up logs the collector by origin and path only, never its credentials or query', async () => {
    const { logger, lines } = capturedLogger();
    const tracing = await start(
      {
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT:
          'https://tenant:S3cretPass@collector.example.com/v1/traces?api_key=k3y-0f-t3nant',
      },
      logger,
    );
    toStop.push(() => tracing.shutdown());
    const written = JSON.stringify(lines);
    expect(written).not.toContain('S3cretPass');
    expect(written).not.toContain('tenant:');
    expect(written).not.toContain('k3y-0f-t3nant');
    expect(lines).toContainEqual(
      expect.objectContaining({
        tracesUrl: 'https://collector.example.com/v1/traces',
        msg: 'Tracing on: spans go to https://collector.example.com/v1/traces (http/protobuf).',
      }),
    );
  });

  test('shutdown gives up on a collector that never answers after about 2 s, saying spans may be lost', async () => {
    const hung = http.createServer(() => {
      // Takes the request and never answers.
    });
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    const { port } = hung.address() as AddressInfo;
    const { logger, lines } = capturedLogger();
    const tracing = await start({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${port}/v1/traces` }, logger);
    toStop.push(async () => {
      hung.closeAllConnections();
      await new Promise((resolve) => hung.close(resolve));
    });
    tracing.tracer.startSpan('last delivery').end();

    const began = performance.now();
    await tracing.shutdown();
    const waited = performance.now() - began;
    expect(waited).toBeGreaterThanOrEqual(1_900);
    expect(waited).toBeLessThan(4_000);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 40, msg: expect.stringMatching(/spans may have been dropped/) }),
    );
  }, 20_000);
});
