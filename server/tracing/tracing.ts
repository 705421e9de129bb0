/**
 * OpenTelemetry traces, when configured (tracingSettings.ts): one tracer provider per
 * process, exporting over OTLP/HTTP in batches. Loaded only when tracing is on (hookpost.ts
 * imports it then), so a process without tracing never loads the SDK or starts an exporter.
 *
 * Nothing here is registered globally: spans are made from this provider's tracer and
 * their contexts are passed by hand (the event row carries the ingest span's context to
 * the worker), so no async-context bookkeeping runs on the hot paths.
 */
import type { Tracer } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { ProcessRole } from '../config.ts';
import type { Logger } from '../logger.ts';
import { startIngestSpan, type IngestSpan } from './ingestSpan.ts';
import type { TracingConfig } from './tracingSettings.ts';

export interface Tracing {
  tracer: Tracer;
  /** Send each attempt's `traceparent` to receivers (never a `tracestate`: that would be the producer's). */
  sendTraceparent: boolean;
  /** Starts an ingest request's span (ingestSpan.ts); here so that the route loads nothing of OpenTelemetry when tracing is off. */
  startIngestSpan(requestHeaders: Record<string, unknown>, mailboxId: string): IngestSpan;
  /** Sends the spans still buffered, then stops the exporter; gives up (logging it) after at most 2 s. */
  shutdown(): Promise<void>;
}

/** How often at most a failing export is logged (the collector may be down for a while). */
const EXPORT_FAILURE_LOG_EVERY_MS = 60_000;

export async function startTracing(
  config: TracingConfig,
  options: {
    role: ProcessRole;
    logger: Logger;
    /** The process's own shutdown bound (HOOKPOST_SHUTDOWN_TIMEOUT_MS); sending the last spans waits at most 2 s, or this if shorter. */
    shutdownTimeoutMs?: number;
  },
): Promise<Tracing> {
  const exporter =
    config.protocol === 'http/json'
      ? new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter({ url: config.url })
      : new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter({ url: config.url });
  const resource = resourceFromAttributes({
    [ATTR_SERVICE_NAME]: config.serviceName,
    'hookpost.role': options.role,
  }).merge(detectResources({ detectors: [envDetector] }));
  const provider = new BasicTracerProvider({
    resource,
    spanProcessors: [new BatchSpanProcessor(reportingFailures(exporter, options.logger))],
  });
  const shown = collectorAddress(config.url);
  options.logger.info(
    { tracesUrl: shown, protocol: config.protocol },
    `Tracing on: spans go to ${shown} (${config.protocol}).`,
  );
  const tracer = provider.getTracer('hookpost');
  const shutdownBoundMs = Math.min(SHUTDOWN_BOUND_MS, options.shutdownTimeoutMs ?? SHUTDOWN_BOUND_MS);
  return {
    tracer,
    sendTraceparent: config.sendTraceparent,
    startIngestSpan: (requestHeaders, mailboxId) => startIngestSpan({ tracer }, requestHeaders, mailboxId),
    shutdown: () => shutdownWithin(provider, shutdownBoundMs, options.logger),
  };
}

/**
 * How long shutdown waits at most for the last spans to be sent: a collector that does not
 * answer would otherwise hold the process for the exporter's own timeout (10 s).
 */
const SHUTDOWN_BOUND_MS = 2_000;

async function shutdownWithin(provider: BasicTracerProvider, boundMs: number, logger: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), boundMs);
    timer.unref();
  });
  const outcome = await Promise.race([provider.shutdown().then(() => 'sent' as const), late]).finally(() =>
    clearTimeout(timer),
  );
  if (outcome === 'late')
    logger.warn(
      { waitedMs: boundMs },
      `The trace collector did not take the last spans within ${boundMs} ms; spans may have been dropped.`,
    );
}

/**
 * The collector's URL as it may be logged: origin and path only. The URL may carry
 * credentials in its userinfo or query (an API key), which must not reach the log.
 */
function collectorAddress(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
}

/** The exporter, with its failures in our log (the SDK's own diagnostics are off unless registered). */
function reportingFailures(exporter: SpanExporter, logger: Logger): SpanExporter {
  let lastLoggedAt = 0;
  return {
    export(spans: ReadableSpan[], done: (result: ExportResult) => void) {
      exporter.export(spans, (result) => {
        if (result.code !== ExportResultCode.SUCCESS && Date.now() - lastLoggedAt > EXPORT_FAILURE_LOG_EVERY_MS) {
          lastLoggedAt = Date.now();
          logger.warn(
            { err: result.error, spans: spans.length },
            `Could not send ${spans.length} span(s) to the trace collector: ${result.error?.message ?? 'unknown error'}.`,
          );
        }
        done(result);
      });
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
  };
}
