/**
 * The ingest request's span: an HTTP server span for `POST /webhooks/{mailbox_id}`, a child
 * of the producer's span when the request carries a `traceparent`. Its context is stored
 * with the event (insertEvents.ts), so every attempt of the event's deliveries becomes its
 * child: one trace per event, from the producer's request to each receiver's answer.
 */
import { SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
} from '@opentelemetry/semantic-conventions';
import type { Tracing } from './tracing.ts';
import { carrierOf, contextFrom, type TraceCarrier } from './traceContext.ts';

export const INGEST_ROUTE = '/webhooks/{mailbox_id}';

export interface IngestSpan {
  /** What the event stores: this span's context. */
  traceContext: TraceCarrier;
  traceId: string;
  /** Ends the span with the answer's status, and the event when one was accepted. */
  end(statusCode: number, accepted?: { trackingNumber: string; repeat: boolean }, errorCode?: string): void;
}

export function startIngestSpan(
  tracing: Pick<Tracing, 'tracer'>,
  requestHeaders: Record<string, unknown>,
  mailboxId: string,
): IngestSpan {
  const span: Span = tracing.tracer.startSpan(
    `POST ${INGEST_ROUTE}`,
    {
      kind: SpanKind.SERVER,
      attributes: {
        [ATTR_HTTP_REQUEST_METHOD]: 'POST',
        [ATTR_HTTP_ROUTE]: INGEST_ROUTE,
        'hookpost.mailbox.id': mailboxId,
      },
    },
    contextFrom(requestHeaders),
  );
  return {
    traceContext: carrierOf(span),
    traceId: span.spanContext().traceId,
    end(statusCode, accepted, errorCode) {
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, statusCode);
      if (accepted) {
        span.setAttribute('hookpost.event.id', accepted.trackingNumber);
        if (accepted.repeat) span.setAttribute('hookpost.event.repeat', true);
      }
      if (errorCode) span.setAttribute('hookpost.error.code', errorCode);
      // A server span is in error only for 5xx: a refused request is the producer's mistake.
      if (statusCode >= 500) {
        span.setAttribute(ATTR_ERROR_TYPE, String(statusCode));
        span.setStatus({ code: SpanStatusCode.ERROR, message: errorCode });
      }
      span.end();
    },
  };
}
