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
 * The deliveries start `queued`; their jobs are built by deliveries/deliverJobs.ts.
 */
import { CHANGE_CHANNEL, changePayloads } from '../../db/changeBus.ts';
import { packBytes } from '../../db/packedBytes.ts';
import type { Queryable } from '../../db/queryable.ts';
import { addDeliverJobsSql, deliverJobPayloads, type AttemptTrigger } from '../../deliveries/deliverJobs.ts';

export interface NewEvent {
  id: string;
  mailboxId: string;
  eventType: string | null;
  contentType: string;
  body: Buffer;
  deliveries: { id: string; endpointId: string }[];
  /** What the first attempts are: `scheduled` for ingested events, `test` for test events. */
  trigger: AttemptTrigger;
  /** Times it had passed through Hookpost before (events/hops.ts). Default 0. */
  hops?: number;
}

/** The `deliver` job payloads for a batch: per trigger, then per endpoint, in chunks. */
export function jobPayloads(events: NewEvent[]): string[] {
  const byTrigger = new Map<AttemptTrigger, { id: string; endpointId: string }[]>();
  for (const event of events) {
    const deliveries = byTrigger.get(event.trigger);
    if (deliveries) deliveries.push(...event.deliveries);
    else byTrigger.set(event.trigger, [...event.deliveries]);
  }
  return [...byTrigger].flatMap(([trigger, deliveries]) => deliverJobPayloads(trigger, deliveries));
}

// Bodies arrive as one binary parameter ($5) cut by start and length (db/packedBytes.ts).
const insertEventsAndDeliveries = `
  with new_events as (
    insert into event (id, mailbox_id, event_type, content_type, body, delivery_count, pending_count, hops)
    select e.id, e.mailbox_id, e.event_type, e.content_type, substring($5::bytea from e.body_start for e.body_length), e.n, e.n, e.hops
      from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $6::int[], $7::int[], $8::int[], $14::int[])
        as e(id, mailbox_id, event_type, content_type, body_start, body_length, n, hops)
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
    events.map((e) => e.hops ?? 0),
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
        select j.id from ${addDeliverJobsSql('select unnest($15::text[]) as payload, null::timestamptz as run_at')} as j
      )
      select (select count(*) from new_jobs), (select count(*) from notified)`,
    values: [...values, payloads],
  });
}
