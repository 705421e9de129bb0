/**
 * Persist-before-ack: the event, one delivery per matching endpoint and the job that
 * will deliver them, in one statement (hence one transaction). When this returns, the
 * event is durable and will be delivered; only then does the producer get its 202.
 */
import type { Queryable } from '../../db/queryable.ts';
import { DELIVER_JOB_MAX_ATTEMPTS, DELIVER_TASK } from '../../delivery/deliverJob.ts';

export interface NewEvent {
  id: string;
  mailboxId: string;
  eventType: string | null;
  contentType: string;
  body: Buffer;
  deliveries: { id: string; endpointId: string }[];
  /** The `deliver` job payload; null when no endpoint matched. */
  jobPayload: string | null;
}

export async function insertEvent(db: Queryable, event: NewEvent): Promise<void> {
  await db.query({
    name: 'insert_event',
    text: `
      with new_event as (
        insert into event (id, mailbox_id, event_type, content_type, body, delivery_count, pending_count)
        values ($1, $2, $3, $4, $5, cardinality($6::uuid[]), cardinality($6::uuid[]))
      ), new_deliveries as (
        insert into delivery (id, event_id, endpoint_id)
        select d.id, $1, d.endpoint_id from unnest($6::uuid[], $7::uuid[]) as d(id, endpoint_id)
      ), new_job as (
        select graphile_worker.add_job($8, $9::json, max_attempts := $10) where $9::json is not null
      )
      select (select count(*) from new_job) as jobs`,
    values: [
      event.id,
      event.mailboxId,
      event.eventType,
      event.contentType,
      event.body,
      event.deliveries.map((d) => d.id),
      event.deliveries.map((d) => d.endpointId),
      DELIVER_TASK,
      event.jobPayload,
      DELIVER_JOB_MAX_ATTEMPTS,
    ],
  });
}
