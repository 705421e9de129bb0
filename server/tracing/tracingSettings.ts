/**
 * Whether this process sends traces, read from OpenTelemetry's standard variables so that
 * the usual deployment (a collector's address in `OTEL_EXPORTER_OTLP_ENDPOINT`) works
 * unchanged. Tracing is off unless one of them asks for it: `OTEL_TRACES_EXPORTER=otlp`,
 * or an OTLP endpoint with `OTEL_TRACES_EXPORTER` unset. `OTEL_SDK_DISABLED=true` and
 * `OTEL_TRACES_EXPORTER=none` turn it off whatever else is set.
 *
 * Only OTLP over HTTP is supported (`http/protobuf`, the default, or `http/json`); gRPC
 * would pull in a gRPC stack for one exporter, and collectors accept both.
 */
import { z } from 'zod';

export const otlpProtocols = ['http/protobuf', 'http/json'] as const;
export type OtlpProtocol = (typeof otlpProtocols)[number];

export interface TracingConfig {
  /** Where spans go: the OTLP/HTTP traces URL (…/v1/traces). */
  url: string;
  protocol: OtlpProtocol;
  /** `service.name` of this process's spans. Default `hookpost`. */
  serviceName: string;
  /** Send each attempt's `traceparent` to receivers (HOOKPOST_SEND_TRACEPARENT). Default false. */
  sendTraceparent: boolean;
}

const otlpUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL of an OTLP collector' });
const protocol = z.enum([...otlpProtocols, 'grpc']);

export const tracingEnvShape = {
  // As the OpenTelemetry spec reads booleans: "true" in any case is true, anything else false (never refused).
  OTEL_SDK_DISABLED: z
    .string()
    .transform((value) => value.trim().toLowerCase() === 'true')
    .optional(),
  OTEL_TRACES_EXPORTER: z
    .string()
    .transform((value) => value.split(',').map((item) => item.trim().toLowerCase()))
    .pipe(z.array(z.enum(['otlp', 'none'], { error: 'must be otlp or none (other exporters are not supported)' })))
    .optional(),
  OTEL_EXPORTER_OTLP_ENDPOINT: otlpUrl.optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: otlpUrl.optional(),
  OTEL_EXPORTER_OTLP_PROTOCOL: protocol.optional(),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: protocol.optional(),
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  HOOKPOST_SEND_TRACEPARENT: z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .transform((value) => ['true', '1', 'yes'].includes(value))
    .optional(),
};

type TracingEnv = z.infer<z.ZodObject<typeof tracingEnvShape>>;

/** OTLP/HTTP's default collector address (the spec's). */
const DEFAULT_ENDPOINT = 'http://localhost:4318';

/** The tracing settings, or the problems with them (each naming its variable). */
export function tracingFromEnv(e: TracingEnv): { tracing: TracingConfig | undefined; problems: string[] } {
  const problems: string[] = [];
  const chosen = e.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? e.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf';
  const exporters = e.OTEL_TRACES_EXPORTER;
  const asked = exporters
    ? exporters.includes('otlp') && !exporters.includes('none')
    : Boolean(e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? e.OTEL_EXPORTER_OTLP_ENDPOINT);
  const on = asked && !e.OTEL_SDK_DISABLED;
  if (on && chosen === 'grpc') {
    const name = e.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL
      ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'
      : 'OTEL_EXPORTER_OTLP_PROTOCOL';
    problems.push(`${name}: grpc is not supported; use http/protobuf (port 4318) or http/json`);
  }
  if (e.HOOKPOST_SEND_TRACEPARENT && !on) {
    problems.push(
      'HOOKPOST_SEND_TRACEPARENT: needs tracing on (set OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_TRACES_EXPORTER=otlp)',
    );
  }
  if (!on || problems.length) return { tracing: undefined, problems };
  // The signal's own variable is the whole URL; the shared one is a base to which /v1/traces is added (as the spec says).
  const url =
    e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    `${(e.OTEL_EXPORTER_OTLP_ENDPOINT ?? DEFAULT_ENDPOINT).replace(/\/+$/, '')}/v1/traces`;
  return {
    tracing: {
      url,
      protocol: chosen as OtlpProtocol,
      serviceName: e.OTEL_SERVICE_NAME ?? 'hookpost',
      sendTraceparent: e.HOOKPOST_SEND_TRACEPARENT ?? false,
    },
    problems,
  };
}
