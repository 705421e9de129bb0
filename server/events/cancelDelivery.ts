/**
 * Cancelling one delivery, for REST, GraphQL and the dashboard: an operator gives up on a
 * delivery that is waiting for an attempt (queued, between retries, or held). It is the
 * manual skip of an ordering key's line: the head that keeps failing is cancelled and the
 * next delivery of its key goes at once. One in flight cannot be called back; one that
 * ended has nothing left to cancel. A cancelled delivery can be retried later.
 */
import { recordAudit } from '../audit/auditLog.ts';
import { authorize, type Actor } from '../auth/roles.ts';
import { withTransaction } from '../db/pool.ts';
import { cancelWaitingDelivery, publishCancelled } from '../deliveries/cancel.ts';
import type { DeliveryRef } from '../deliveries/publish.ts';
import { AppError, notFound } from '../errors.ts';
import { isUuid } from '../ids.ts';
import type { Runtime } from '../runtime.ts';

export interface CancelledDelivery {
  deliveryId: string;
  eventId: string;
}

export async function cancelDelivery(
  rt: Pick<Runtime, 'pool' | 'changes'>,
  actor: Actor | null,
  deliveryId: string,
): Promise<CancelledDelivery> {
  authorize(actor, 'operator');
  if (!isUuid(deliveryId)) throw notFound('The delivery');
  const result = await withTransaction(
    rt.pool,
    async (client): Promise<{ cancelled: DeliveryRef } | { status: string | null }> => {
      const cancelled = await cancelWaitingDelivery(client, deliveryId);
      if (cancelled) {
        await recordAudit(client, actor, {
          action: 'delivery.cancel',
          target: { type: 'delivery', id: deliveryId },
          summary: { eventId: cancelled.eventId },
        });
        return { cancelled };
      }
      const { rows } = await client.query<{ status: string }>('select status from delivery where id = $1', [
        deliveryId,
      ]);
      return { status: rows[0]?.status ?? null };
    },
  );
  if ('cancelled' in result) {
    publishCancelled(rt.changes, result.cancelled);
    return { deliveryId, eventId: result.cancelled.eventId };
  }
  if (result.status === null) throw notFound('The delivery');
  throw new AppError(
    'conflict',
    result.status === 'delivering'
      ? 'This delivery has an attempt in flight, which cannot be called back; cancel it once the attempt is recorded.'
      : `This delivery is ${result.status} already: only a delivery waiting for an attempt (queued or held) can be cancelled.`,
  );
}
