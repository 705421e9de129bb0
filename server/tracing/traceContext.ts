/**
 * A span's W3C trace context as it is kept with an event and sent in headers:
 * `traceparent` and, when a vendor set one, `tracestate`. Kept as this small object rather
 * than as a live context, because it crosses the database: the event row holds it from
 * ingest until its last attempt, in whichever worker and however much later that runs.
 */
import { ROOT_CONTEXT, trace, type Context, type Span } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

export interface TraceCarrier {
  traceparent: string;
  tracestate?: string;
}

const propagator = new W3CTraceContextPropagator();

const getter = {
  keys: (carrier: Record<string, unknown>) => Object.keys(carrier),
  get: (carrier: Record<string, unknown>, key: string) => {
    const value = carrier[key];
    return typeof value === 'string' || Array.isArray(value) ? (value as string | string[]) : undefined;
  },
};

/** The context a `traceparent` (request headers, or a stored carrier) names; the root context when it names none or is malformed. */
export function contextFrom(carrier: Record<string, unknown> | null | undefined): Context {
  if (!carrier) return ROOT_CONTEXT;
  return propagator.extract(ROOT_CONTEXT, carrier, getter);
}

/** The span's context as headers to send or a carrier to store. */
export function carrierOf(span: Span): TraceCarrier {
  const carrier: Record<string, string> = {};
  propagator.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, {
    set: (target, key, value) => {
      target[key] = value;
    },
  });
  return carrier as unknown as TraceCarrier;
}
