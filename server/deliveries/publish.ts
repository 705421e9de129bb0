/**
 * The live "delivery changed" notification, built in one place: every function of this
 * module that changes deliveries tells the change bus (db/changeBus.ts) after its
 * statement committed, with the delivery's new status and the attempt that caused it.
 */
import type { ChangeBus } from '../db/changeBus.ts';
import type { DeliveryStatus } from './lifecycle.ts';

/** What a changed delivery is, for the subscribers who filter by mailbox, event or endpoint. */
export interface DeliveryRef {
  deliveryId: string;
  eventId: string;
  mailboxId: string;
  endpointId: string;
}

export function publishDeliveryChange(
  changes: Pick<ChangeBus, 'publish'>,
  delivery: DeliveryRef,
  status: DeliveryStatus,
  attempt: number | null = null,
): void {
  changes.publish({
    kind: 'delivery',
    deliveryId: delivery.deliveryId,
    eventId: delivery.eventId,
    mailboxId: delivery.mailboxId,
    endpointId: delivery.endpointId,
    status,
    attempt,
  });
}
