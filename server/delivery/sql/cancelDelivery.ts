/** Ends a delivery whose endpoint was disabled or deleted while it waited. */
import type { Queryable } from '../../db/queryable.ts';

export async function cancelDelivery(db: Queryable, deliveryId: string): Promise<void> {
  await db.query({
    name: 'cancel_delivery',
    text: `
      with cancelled as (
        update delivery set status = 'cancelled', next_attempt_at = null, updated_at = now()
         where id = $1 and status in ('queued', 'delivering')
     returning event_id
      )
      update event set pending_count = pending_count - 1, cancelled_count = cancelled_count + 1
       where id = (select event_id from cancelled)`,
    values: [deliveryId],
  });
}

export interface CancelledDelivery {
  deliveryId: string;
  eventId: string;
  mailboxId: string;
  endpointId: string;
}

/** Cancels every delivery waiting for an endpoint (disabled or deleted); in-flight ones finish. */
export async function cancelWaitingDeliveries(db: Queryable, endpointIds: string[]): Promise<CancelledDelivery[]> {
  const { rows } = await db.query<CancelledDelivery>({
    name: 'cancel_waiting_deliveries',
    text: `
      with cancelled as (
        update delivery set status = 'cancelled', next_attempt_at = null, updated_at = now()
         where endpoint_id = any($1::uuid[]) and status = 'queued'
     returning id, event_id, endpoint_id
      ), per_event as (
        select event_id, count(*)::int as n from cancelled group by event_id
      ), updated as (
        update event e set pending_count = e.pending_count - p.n, cancelled_count = e.cancelled_count + p.n
          from per_event p where e.id = p.event_id
      )
      select c.id as "deliveryId", c.event_id as "eventId", e.mailbox_id as "mailboxId", c.endpoint_id as "endpointId"
        from cancelled c join event e on e.id = c.event_id`,
    values: [endpointIds],
  });
  return rows;
}
