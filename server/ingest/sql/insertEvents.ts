/**
 * Persist-before-ack, for a batch: the events, one delivery per matching endpoint and
 * the jobs that will deliver them, in one statement (hence one transaction, one commit,
 * one `jobs:insert` notification). When this returns, every event of the batch is
 * durable and will be delivered; only then do their producers get their 202.
 *
 * The same statement tells every process's live views that the events arrived (the
 * change bus's channel, db/changeBus.ts). A transaction that notifies holds a
 * database-wide lock until its commit is flushed, and this one already notifies for
 * its jobs; sent apart, the events' notifications were a further commit and flush for
 * every few dozen events, queued on that same lock in front of the next batch.
 *
 * A job carries up to DELIVERIES_PER_JOB deliveries of one endpoint, so a burst to one
 * endpoint costs the queue a fraction of a job per event.
 */
import { CHANGE_CHANNEL, changePayloads } from '../../db/changeBus.ts';
import { packBytes } from '../../db/packedBytes.ts';
import type { Queryable } from '../../db/queryable.ts';
import {
  DELIVER_JOB_MAX_ATTEMPTS,
  DELIVER_TASK,
  deliverPayload,
  type AttemptTrigger,
} from '../../delivery/deliverJob.ts';

export const DELIVERIES_PER_JOB = 50;

export interface NewEvent {
  id: string;
  mailboxId: string;
  eventType: string | null;
  contentType: string;
  body: Buffer;
  deliveries: { id: string; endpointId: string }[];
  /** What the first attempts are: `scheduled` for ingested events, `test` for test events. */
  trigger: AttemptTrigger;
}

/** The `deliver` job payloads for a batch: per endpoint (and trigger), in chunks. */
export function jobPayloads(events: NewEvent[]): string[] {
  const byEndpoint = new Map<string, { trigger: AttemptTrigger; ids: string[] }>();
  for (const event of events) {
    for (const delivery of event.deliveries) {
      const key = `${event.trigger}:${delivery.endpointId}`;
      const group = byEndpoint.get(key) ?? { trigger: event.trigger, ids: [] };
      group.ids.push(delivery.id);
      byEndpoint.set(key, group);
    }
  }
  const payloads: string[] = [];
  for (const { trigger, ids } of byEndpoint.values()) {
    for (let i = 0; i < ids.length; i += DELIVERIES_PER_JOB) {
      payloads.push(
        deliverPayload({ trigger, deliveries: ids.slice(i, i + DELIVERIES_PER_JOB).map((id) => ({ id, attempt: 1 })) }),
      );
    }
  }
  return payloads;
}

// Bodies arrive as one binary parameter ($5) cut by start and length (db/packedBytes.ts).
const insertEventsAndDeliveries = `
  with new_events as (
    insert into event (id, mailbox_id, event_type, content_type, body, delivery_count, pending_count)
    select e.id, e.mailbox_id, e.event_type, e.content_type, substring($5::bytea from e.body_start for e.body_length), e.n, e.n
      from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $6::int[], $7::int[], $8::int[])
        as e(id, mailbox_id, event_type, content_type, body_start, body_length, n)
  ), new_deliveries as (
    insert into delivery (id, event_id, endpoint_id)
    select * from unnest($9::uuid[], $10::uuid[], $11::uuid[])
  ), notified as (
    select pg_notify($12, p) from unnest($13::text[]) as p
  )`;

export async function insertEvents(db: Queryable, events: NewEvent[]): Promise<void> {
  const deliveries = events.flatMap((event) =>
    event.deliveries.map((delivery) => ({ ...delivery, eventId: event.id })),
  );
  const payloads = jobPayloads(events);
  const bodies = packBytes(events.map((e) => e.body));
  const values: unknown[] = [
    events.map((e) => e.id),
    events.map((e) => e.mailboxId),
    events.map((e) => e.eventType),
    events.map((e) => e.contentType),
    bodies.bytes,
    bodies.starts,
    bodies.lengths,
    events.map((e) => e.deliveries.length),
    deliveries.map((d) => d.id),
    deliveries.map((d) => d.eventId),
    deliveries.map((d) => d.endpointId),
    CHANGE_CHANNEL,
    changePayloads(events.map((e) => ({ kind: 'event', eventId: e.id, mailboxId: e.mailboxId }))),
  ];
  // A CTE that only reads runs when the statement refers to it: hence the counts.
  if (payloads.length === 0) {
    // Nothing to deliver (every event unrouted): no job.
    await db.query({
      name: 'insert_events_unrouted',
      text: `${insertEventsAndDeliveries} select count(*) from notified`,
      values,
    });
    return;
  }
  await db.query({
    name: 'insert_events',
    text: `${insertEventsAndDeliveries}, new_jobs as (
        select j.id from graphile_worker.add_jobs(array(
          select row($14::text, p::json, null::text, null::timestamptz, $15::smallint, null::text, null::smallint, null::text[])::graphile_worker.job_spec
            from unnest($16::text[]) as p)) as j
      )
      select (select count(*) from new_jobs), (select count(*) from notified)`,
    values: [...values, DELIVER_TASK, DELIVER_JOB_MAX_ATTEMPTS, payloads],
  });
}
