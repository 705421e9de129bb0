/**
 * An attempt record as the worker writes it after a receiver answered 200, for tests that
 * move claimed deliveries on through deliveries/recordAttempts.ts without sending anything.
 */
import type { ClaimedDelivery } from '../../server/deliveries/claim.ts';
import type { AttemptRecord } from '../../server/deliveries/recordAttempts.ts';
import { newId } from '../../server/ids.ts';

export function deliveredAttempt(
  delivery: Pick<ClaimedDelivery, 'id' | 'eventId' | 'mailboxId' | 'endpointId' | 'orderingKey'>,
  workerId: string,
): AttemptRecord {
  return {
    attemptId: newId(),
    delivery: {
      deliveryId: delivery.id,
      eventId: delivery.eventId,
      mailboxId: delivery.mailboxId,
      endpointId: delivery.endpointId,
    },
    workerId,
    trigger: 'scheduled',
    url: 'http://127.0.0.1:9/hook',
    requestHeaders: {},
    result: {
      startedAt: new Date(),
      durationMs: 3,
      statusCode: 200,
      responseHeaders: {},
      responseBody: null,
      responseBodyTruncated: false,
      errorKind: null,
      errorMessage: null,
    },
    decision: { status: 'delivered' },
    // As the worker does (deliverTask.ts): its end lets the next of its line go.
    ordered: delivery.orderingKey !== null,
  };
}
