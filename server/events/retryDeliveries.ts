/**
 * Manual retry: the one place that re-queues failed deliveries, for REST, GraphQL and
 * the dashboard. Only deliveries that ended without success (failed, or cancelled while
 * their endpoint is active again) are re-queued, each as one `manual` attempt; a
 * delivery that is queued or in flight is left alone, so nothing is sent twice.
 */
import { authorize, type Actor } from '../auth/roles.ts';
import { withTransaction } from '../db/pool.ts';
import { DELIVER_JOB_MAX_ATTEMPTS, DELIVER_TASK, deliverPayload } from '../delivery/deliverJob.ts';
import { AppError, notFound } from '../errors.ts';
import { isUuid } from '../ids.ts';
import type { Runtime } from '../runtime.ts';

export interface RetryResult {
  eventId: string;
  /** The deliveries re-queued. */
  deliveryIds: string[];
}

export async function retryEvent(
  rt: Pick<Runtime, 'pool' | 'changes'>,
  actor: Actor | null,
  trackingNumber: string,
): Promise<RetryResult> {
  authorize(actor, 'operator');
  if (!isUuid(trackingNumber)) throw notFound('The event');
  return requeue(rt, { eventId: trackingNumber });
}

export async function retryDelivery(
  rt: Pick<Runtime, 'pool' | 'changes'>,
  actor: Actor | null,
  deliveryId: string,
): Promise<RetryResult> {
  authorize(actor, 'operator');
  if (!isUuid(deliveryId)) throw notFound('The delivery');
  const { rows } = await rt.pool.query<{ event_id: string }>('select event_id from delivery where id = $1', [
    deliveryId,
  ]);
  if (!rows[0]) throw notFound('The delivery');
  return requeue(rt, { eventId: rows[0].event_id, deliveryId });
}

async function requeue(
  rt: Pick<Runtime, 'pool' | 'changes'>,
  target: { eventId: string; deliveryId?: string },
): Promise<RetryResult> {
  const result = await withTransaction(rt.pool, async (client) => {
    // Lock the event row: concurrent retries of one event queue each delivery once.
    const event = await client.query('select id from event where id = $1 for update', [target.eventId]);
    if (!event.rowCount) throw notFound('The event');
    const { rows } = await client.query<{
      id: string;
      attempt_count: number;
      was: 'failed' | 'cancelled';
      endpoint_id: string;
      mailbox_id: string;
    }>(
      `with retryable as (
         select d.id, d.status, p.mailbox_id from delivery d join endpoint p on p.id = d.endpoint_id
          where d.event_id = $1 and ($2::uuid is null or d.id = $2)
            and (d.status = 'failed' or (d.status = 'cancelled' and p.enabled and p.deleted_at is null))
          for update of d
       )
       update delivery d set status = 'queued', next_attempt_at = now(), updated_at = now()
         from retryable r where d.id = r.id
     returning d.id, d.attempt_count, r.status as was, d.endpoint_id, r.mailbox_id`,
      [target.eventId, target.deliveryId ?? null],
    );
    if (rows.length === 0) {
      throw new AppError(
        'not_retryable',
        target.deliveryId
          ? 'This delivery is not retryable: only failed (or cancelled, with an active endpoint) deliveries are; queued and in-flight ones will be attempted anyway.'
          : 'Nothing to retry: no delivery of this event has failed; queued and in-flight ones will be attempted anyway.',
      );
    }
    const failed = rows.filter((row) => row.was === 'failed').length;
    await client.query(
      `update event set pending_count = pending_count + $2, failed_count = failed_count - $3, cancelled_count = cancelled_count - $4 where id = $1`,
      [target.eventId, rows.length, failed, rows.length - failed],
    );
    await client.query(`select graphile_worker.add_job($1, $2::json, max_attempts := $3)`, [
      DELIVER_TASK,
      deliverPayload({
        trigger: 'manual',
        deliveries: rows.map((row) => ({ id: row.id, attempt: row.attempt_count + 1 })),
      }),
      DELIVER_JOB_MAX_ATTEMPTS,
    ]);
    return rows;
  });
  for (const row of result) {
    rt.changes.publish({
      kind: 'delivery',
      deliveryId: row.id,
      eventId: target.eventId,
      mailboxId: row.mailbox_id,
      endpointId: row.endpoint_id,
      status: 'queued',
      attempt: null,
    });
  }
  return { eventId: target.eventId, deliveryIds: result.map((row) => row.id) };
}
