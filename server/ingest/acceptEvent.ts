/**
 * Accepting an event, the ingest path from top to bottom: check the key, check the body,
 * pick the endpoints whose filter accepts the event type, and store event, deliveries
 * and jobs, and tell the live views, in one transaction (shared with events accepted at
 * the same moment, see eventWriter.ts). Every refusal happens before anything is written.
 *
 * An unknown mailbox and a wrong key get the same 401, so the API does not reveal which
 * mailboxes exist. A request that repeats an earlier one's idempotency key gets that
 * one's tracking number and stores nothing (idempotency.ts).
 */
import { newId } from '../ids.ts';
import { hashToken } from '../auth/tokens.ts';
import { acceptsEventType } from '../events/eventTypes.ts';
import { payloadTerms } from '../events/payloadTerms.ts';
import { isDatabaseUnavailable } from '../db/unavailable.ts';
import { AppError, unavailable } from '../errors.ts';
import type { Config } from '../config.ts';
import type { EventWriter } from './eventWriter.ts';
import type { RouteCache } from './routeCache.ts';
import { acceptedContentTypes, assertBodySize, bodyFormat } from './contentType.ts';
import { eventTypeOf } from './eventType.ts';
import { answerRepeat, identityOf, parseIdempotencyKey } from './idempotency.ts';
import { assertNoLoop, hopsOf } from '../events/hops.ts';
import { deliveryOrderingKey, parseOrderingKey } from '../events/orderingKey.ts';
import type { TraceCarrier } from '../tracing/traceContext.ts';

export interface IncomingEvent {
  mailboxId: string;
  apiKey: string | undefined;
  contentType: string | undefined;
  body: Buffer;
  eventTypeHeader: string | undefined;
  /** The `Idempotency-Key` header, unchecked. */
  idempotencyKey: string | string[] | undefined;
  /** The `x-ordering-key` header, unchecked. */
  orderingKey?: string | string[] | undefined;
  /** `x-hookpost-hops`: set when the request is a delivery of another Hookpost (or this one). */
  hopsHeader: string | string[] | undefined;
  /** The ingest span's context, stored with the event when tracing is on. */
  traceContext?: TraceCarrier;
}

export interface AcceptedEvent {
  trackingNumber: string;
  eventType: string | null;
  /** Whether it has deliveries (the 202 says `queued`, else `unrouted`). */
  routed: boolean;
  /** True when an earlier request with the same idempotency key stored it. */
  repeat: boolean;
}

/** How long a producer should wait before sending again after a 503, in seconds. */
const RETRY_AFTER_SECONDS = 5;

export async function acceptEvent(
  rt: { config: Pick<Config, 'maxBodyBytes' | 'ingestTimeoutMs'>; eventWriter: EventWriter; routes: RouteCache },
  incoming: IncomingEvent,
): Promise<AcceptedEvent> {
  if (!incoming.apiKey) throw new AppError('missing_api_key', 'Send the mailbox API key in the x-api-key header.');
  const format = bodyFormat(incoming.contentType);
  if (!format) throw new AppError('unsupported_media_type', `Content-Type must be one of: ${acceptedContentTypes}.`);
  assertBodySize(incoming.body, rt.config.maxBodyBytes);

  // A producer learns within the deadline whether its event is stored: a 202, or a 503 it
  // can retry. An event still waiting for its transaction at the deadline is taken out, so
  // a 503 then means "not stored"; one already being committed may still be stored.
  const deadline = AbortSignal.timeout(rt.config.ingestTimeoutMs);
  const route = await beforeDeadline(rt.routes.find(hashToken(incoming.apiKey)), deadline);
  if (!route || route.mailboxId !== incoming.mailboxId) {
    throw new AppError('invalid_api_key', 'The API key is not valid for this mailbox.');
  }
  const key = parseIdempotencyKey(incoming.idempotencyKey);
  const orderingKey = parseOrderingKey(incoming.orderingKey);
  const hops = hopsOf(incoming.hopsHeader);
  assertNoLoop(hops);

  let json: unknown = null;
  if (format === 'json') {
    try {
      json = JSON.parse(incoming.body.toString('utf8'));
    } catch (error) {
      throw new AppError('invalid_json', `The body is not valid JSON: ${(error as Error).message}`);
    }
  }
  const eventType = eventTypeOf(incoming.eventTypeHeader, json);

  const trackingNumber = newId();
  const deliveries = route.endpoints
    .filter((endpoint) => acceptsEventType(endpoint.eventTypes, eventType))
    .map((endpoint) => ({
      id: newId(),
      endpointId: endpoint.id,
      orderingKey: deliveryOrderingKey(endpoint, { orderingKey, json }),
    }));
  const written = await beforeDeadline(
    rt.eventWriter.submit(
      {
        id: trackingNumber,
        mailboxId: route.mailboxId,
        eventType,
        contentType: incoming.contentType!,
        body: incoming.body,
        deliveries,
        trigger: 'scheduled',
        searchTerms: payloadTerms(json),
        idempotencyKey: key,
        hops,
        orderingKey,
        traceContext: incoming.traceContext,
      },
      deadline,
    ),
    deadline,
  );
  if (written.stored) return { trackingNumber, eventType, routed: deliveries.length > 0, repeat: false };
  if (!written.original) {
    throw unavailable('The event this Idempotency-Key belongs to could not be read; send it again.', 1);
  }
  const repeat = identityOf({ body: incoming.body, eventType, contentType: incoming.contentType!, orderingKey });
  return { ...answerRepeat(key!, repeat, written.original), eventType, repeat: true };
}

/** The work's result, or a 503 when the deadline passes first or the database cannot be reached. */
async function beforeDeadline<T>(work: Promise<T>, deadline: AbortSignal): Promise<T> {
  let onAbort: (() => void) | undefined;
  const timedOut = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(deadline.reason);
    if (deadline.aborted) onAbort();
    else deadline.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, timedOut]);
  } catch (error) {
    if (deadline.aborted) {
      throw unavailable(
        'The database did not answer in time, so the event was not accepted; send it again.',
        RETRY_AFTER_SECONDS,
      );
    }
    if (isDatabaseUnavailable(error)) {
      throw unavailable(
        'The database is unreachable, so the event was not accepted; send it again.',
        RETRY_AFTER_SECONDS,
      );
    }
    throw error;
  } finally {
    if (onAbort) deadline.removeEventListener('abort', onAbort);
    timedOut.catch(() => undefined);
  }
}
