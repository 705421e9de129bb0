/**
 * A span per delivery attempt, the child of its event's ingest span. The ingest span's
 * context comes from the event row (read once per job for the events its deliveries
 * belong to), so an attempt joins its event's trace whichever worker runs it, however
 * late, and whatever made it: the first try, a retry, a manual retry or a replay.
 *
 * An event stored while tracing was off has no context: its attempts are traces of
 * their own. With HOOKPOST_SEND_TRACEPARENT the receiver gets the attempt span's
 * `traceparent` (and no `tracestate`), so its own server span is the attempt's child.
 */
import { SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_SCHEME,
} from '@opentelemetry/semantic-conventions';
import type { Queryable } from '../db/queryable.ts';
import type { AttemptOutcome } from '../delivery/sendAttempt.ts';
import { coerceError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Tracing } from './tracing.ts';
import { carrierOf, contextFrom, type TraceCarrier } from './traceContext.ts';

export interface AttemptSpan {
  traceId: string;
  /** `traceparent` for the receiver when it is to be sent, else none (never the producer's `tracestate`). */
  headers: Record<string, string>;
  end(outcome: AttemptOutcome): void;
}

export interface AttemptTracing {
  /** The stored trace contexts of these events (none for those stored untraced). Never throws: tracing must not stop a delivery. */
  contextsOf(eventIds: string[]): Promise<Map<string, TraceCarrier>>;
  start(
    attempt: {
      deliveryId: string;
      eventId: string;
      endpointId: string;
      url: string;
      /** 1 for the first attempt. */
      number: number;
      trigger: string;
    },
    parent: TraceCarrier | undefined,
  ): AttemptSpan;
}

export function makeAttemptTracing(deps: {
  tracing: Pick<Tracing, 'tracer' | 'sendTraceparent'>;
  db: Queryable;
  logger: Logger;
}): AttemptTracing {
  const { tracer, sendTraceparent } = deps.tracing;
  return {
    async contextsOf(eventIds) {
      const contexts = new Map<string, TraceCarrier>();
      if (eventIds.length === 0) return contexts;
      try {
        const { rows } = await deps.db.query<{ id: string; trace_context: TraceCarrier }>({
          name: 'event_trace_contexts',
          text: 'select id, trace_context from event where id = any($1::uuid[]) and trace_context is not null',
          values: [[...new Set(eventIds)]],
        });
        for (const row of rows) contexts.set(row.id, row.trace_context);
      } catch (error) {
        deps.logger.warn(
          { err: coerceError(error) },
          "Could not read the events' trace contexts; their attempts start traces of their own.",
        );
      }
      return contexts;
    },
    start(attempt, parent) {
      const target = URL.canParse(attempt.url) ? new URL(attempt.url) : undefined;
      // Scheme, host and port only: an endpoint's path or query may hold a secret.
      const span: Span = tracer.startSpan(
        'delivery attempt',
        {
          kind: SpanKind.CLIENT,
          attributes: {
            [ATTR_HTTP_REQUEST_METHOD]: 'POST',
            ...(target && {
              [ATTR_URL_SCHEME]: target.protocol.replace(':', ''),
              [ATTR_SERVER_ADDRESS]: target.hostname,
              [ATTR_SERVER_PORT]: Number(target.port || (target.protocol === 'https:' ? 443 : 80)),
            }),
            'hookpost.delivery.id': attempt.deliveryId,
            'hookpost.event.id': attempt.eventId,
            'hookpost.endpoint.id': attempt.endpointId,
            'hookpost.attempt.number': attempt.number,
            'hookpost.attempt.trigger': attempt.trigger,
          },
        },
        contextFrom(parent as Record<string, unknown> | undefined),
      );
      // Our traceparent only: the tracestate came from the producer (inherited through the
      // ingest span), and one producer's vendor data must not reach every receiver.
      const headers: Record<string, string> = sendTraceparent ? { traceparent: carrierOf(span).traceparent } : {};
      return {
        traceId: span.spanContext().traceId,
        headers,
        end(outcome) {
          if (outcome.statusCode !== null) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, outcome.statusCode);
          if (!outcome.ok) {
            span.setAttribute(
              ATTR_ERROR_TYPE,
              outcome.errorKind === 'http_status' ? String(outcome.statusCode) : (outcome.errorKind ?? 'failed'),
            );
            span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.errorMessage ?? undefined });
          }
          span.end();
        },
      };
    },
  };
}
