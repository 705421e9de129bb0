/**
 * Manual retry, for REST, GraphQL and the dashboard: what an operator may retry and the
 * answer when there is nothing to retry. The lifecycle's requeue decides which
 * deliveries go back in line (deliveries/requeue.ts); each gets one `manual` attempt.
 */
import { recordAudit } from '../audit/auditLog.ts';
import { authorize, type Actor } from '../auth/roles.ts';
import { requeueDeliveries } from '../deliveries/requeue.ts';
import { AppError, notFound } from '../errors.ts';
import { isUuid } from '../ids.ts';
import type { Runtime } from '../runtime.ts';

export interface RetryResult {
  eventId: string;
  /** The deliveries re-queued. */
  deliveryIds: string[];
}

type Deps = Pick<Runtime, 'pool' | 'changes'>;

export async function retryEvent(rt: Deps, actor: Actor | null, trackingNumber: string): Promise<RetryResult> {
  authorize(actor, 'operator');
  if (!isUuid(trackingNumber)) throw notFound('The event');
  return retry(rt, actor, { eventId: trackingNumber }, 'The event');
}

export async function retryDelivery(rt: Deps, actor: Actor | null, deliveryId: string): Promise<RetryResult> {
  authorize(actor, 'operator');
  if (!isUuid(deliveryId)) throw notFound('The delivery');
  const { rows } = await rt.pool.query<{ event_id: string }>('select event_id from delivery where id = $1', [
    deliveryId,
  ]);
  if (!rows[0]) throw notFound('The delivery');
  return retry(rt, actor, { eventId: rows[0].event_id, deliveryId }, 'The delivery');
}

async function retry(
  rt: Deps,
  actor: Actor,
  target: { eventId: string; deliveryId?: string },
  what: string,
): Promise<RetryResult> {
  const result = await requeueDeliveries({ pool: rt.pool, changes: rt.changes }, target, 'manual', (client, requeued) =>
    recordAudit(
      client,
      actor,
      target.deliveryId
        ? {
            action: 'delivery.retry',
            target: { type: 'delivery', id: target.deliveryId },
            summary: { eventId: target.eventId },
          }
        : {
            action: 'event.retry',
            target: { type: 'event', id: target.eventId },
            summary: { deliveryIds: requeued.map((delivery) => delivery.deliveryId) },
          },
    ),
  );
  if (!result.found) throw notFound(what);
  if (result.requeued.length === 0) {
    throw new AppError(
      'not_retryable',
      target.deliveryId
        ? 'This delivery is not retryable: it was delivered, or it is in flight or waiting for an attempt that will happen anyway.'
        : 'Nothing to retry: no delivery of this event failed or is stranded; queued and in-flight ones will be attempted anyway.',
    );
  }
  return { eventId: target.eventId, deliveryIds: result.requeued.map((delivery) => delivery.deliveryId) };
}
