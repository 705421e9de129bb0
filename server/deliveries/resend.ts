/**
 * Resend: one stored event sent again to one endpoint an operator chooses, as a new
 * delivery with one `manual` attempt (its own `webhook-id`, so a receiver that
 * de-duplicates takes it as a new message: resending is asked for on purpose). The
 * endpoint may be any active endpoint of the event's mailbox, whatever its event-type
 * filter says: an endpoint added after the event, or a receiver that lost what it got.
 *
 * Refused, writing nothing: an erased event (nothing left to send), an endpoint of
 * another mailbox, a disabled one, and an event with a delivery to that endpoint still on
 * its way (it will be attempted anyway, so nothing is sent twice by accident).
 */
import { recordAudit } from '../audit/auditLog.ts';
import { authorize, type Actor } from '../auth/roles.ts';
import { withTransaction } from '../db/pool.ts';
import type { Runtime } from '../runtime.ts';
import { AppError, invalidInput, notFound } from '../errors.ts';
import { isUuid, newId } from '../ids.ts';
import { storedEventOrderingKey } from '../events/orderingKey.ts';
import { addDeliveries } from './addDeliveries.ts';
import { publishDeliveryChange, type DeliveryRef } from './publish.ts';

export async function resendEvent(
  rt: Pick<Runtime, 'pool' | 'changes'>,
  actor: Actor | null,
  input: { trackingNumber: string; endpointId: string },
): Promise<DeliveryRef> {
  authorize(actor, 'operator');
  if (!isUuid(input.trackingNumber)) throw notFound('The event');
  if (!isUuid(input.endpointId))
    throw invalidInput([{ path: ['endpointId'], message: 'must be an endpoint id (a UUID)' }]);
  const delivery = await withTransaction(rt.pool, async (client): Promise<DeliveryRef> => {
    // The event's row lock orders this with retries, erasure and other resends of it.
    const { rows: events } = await client.query<{
      mailbox_id: string;
      erased: boolean;
      ordering_key: string | null;
      content_type: string;
      body: Buffer;
    }>(
      'select mailbox_id, erased_at is not null as erased, ordering_key, content_type, body from event where id = $1 for update',
      [input.trackingNumber],
    );
    const event = events[0];
    if (!event) throw notFound('The event');
    if (event.erased) throw new AppError('conflict', 'This event was erased: there is nothing left to send.');
    const { rows: endpoints } = await client.query<{
      mailbox_id: string;
      enabled: boolean;
      ordered_by_key: boolean;
      ordering_key_field: string | null;
    }>(
      'select mailbox_id, enabled, ordered_by_key, ordering_key_field from endpoint where id = $1 and deleted_at is null',
      [input.endpointId],
    );
    const endpoint = endpoints[0];
    if (!endpoint) throw notFound('The endpoint');
    if (endpoint.mailbox_id !== event.mailbox_id)
      throw invalidInput([{ path: ['endpointId'], message: "must be an endpoint of the event's mailbox" }]);
    if (!endpoint.enabled) throw new AppError('conflict', 'This endpoint is disabled: enable it to resend to it.');
    const { rowCount: onItsWay } = await client.query(
      `select 1 from delivery where event_id = $1 and endpoint_id = $2 and status in ('queued', 'held', 'delivering')`,
      [input.trackingNumber, input.endpointId],
    );
    if (onItsWay)
      throw new AppError(
        'conflict',
        'A delivery of this event to this endpoint is already on its way; it will be attempted without a resend.',
      );
    const id = newId();
    // On an endpoint ordered by key it joins the end of its key's line: a new delivery.
    const orderingKey = storedEventOrderingKey(
      { orderedByKey: endpoint.ordered_by_key, orderingKeyField: endpoint.ordering_key_field },
      { orderingKey: event.ordering_key, contentType: event.content_type, body: event.body },
    );
    await addDeliveries(client, 'manual', [
      { id, eventId: input.trackingNumber, endpointId: input.endpointId, orderingKey },
    ]);
    await recordAudit(client, actor, {
      action: 'event.resend',
      target: { type: 'event', id: input.trackingNumber },
      summary: { endpointId: input.endpointId, deliveryId: id },
    });
    return { deliveryId: id, eventId: input.trackingNumber, mailboxId: event.mailbox_id, endpointId: input.endpointId };
  });
  publishDeliveryChange(rt.changes, delivery, 'queued');
  return delivery;
}
