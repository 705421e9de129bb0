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
import { CHANGE_CHANNEL, changePayloads, eventChangesNotifySql } from '../../db/changeBus.ts';
import { packBytes } from '../../db/packedBytes.ts';
import type { Queryable } from '../../db/queryable.ts';
import {
  addDeliverJobsSql,
  deliverJobPayloads,
  storedDeliveriesJobRowsSql,
  type AttemptTrigger,
} from '../../deliveries/deliverJobs.ts';
import type { TraceCarrier } from '../../tracing/traceContext.ts';
import { lockOrder } from '../idempotency.ts';

export interface NewEvent {
  id: string;
  mailboxId: string;
  eventType: string | null;
  contentType: string;
  body: Buffer;
  /** One per endpoint that takes it, with the key it is ordered by there (null: unordered; ingest/orderingKey.ts). */
  deliveries: { id: string; endpointId: string; orderingKey?: string | null }[];
  /** What the first attempts are: `scheduled` for ingested events, `test` for test events. */
  trigger: AttemptTrigger;
  /** A JSON body's fields as search terms (events/payloadTerms.ts); none for other bodies. */
  searchTerms?: string[];
  /** The producer's idempotency key, when it sent one: the event is stored only if it claims it. */
  idempotencyKey?: string;
  /** Times it had passed through Hookpost before (events/hops.ts). Default 0. */
  hops?: number;
  /** The producer's `x-ordering-key`, when it sent one. */
  orderingKey?: string;
  /** The ingest span's context, when tracing is on (tracing/ingestSpan.ts): its attempts join that trace. */
  traceContext?: TraceCarrier;
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

/**
 * Stores the events, with their idempotency keys: each keyed event claims its key with
 * the insert itself (the key's unique index, in lock order: a concurrent claim of the
 * same key waits for this one's commit, then finds it taken). By default a key already
 * taken fails the whole statement with a unique violation (and stores nothing); with
 * `repeats`, an event whose key is taken is left out (ON CONFLICT DO NOTHING) with its
 * deliveries and search terms, and the jobs name only the deliveries stored. Returns
 * the ids of the events not stored.
 */
export async function insertEvents(
  db: Queryable,
  batch: NewEvent[],
  options: { repeats?: boolean } = {},
): Promise<Set<string>> {
  const withKeys = batch.some((e) => e.idempotencyKey !== undefined);
  const claiming = withKeys && options.repeats === true;
  const events = withKeys ? lockOrder(batch) : batch;
  const values: unknown[] = [];
  const param = (value: unknown, type: string) => {
    values.push(value);
    return `$${values.length}::${type}`;
  };
  const deliveries = events.flatMap((event) =>
    event.deliveries.map((delivery) => ({ ...delivery, eventId: event.id })),
  );
  const bodies = packBytes(events.map((e) => e.body));
  // Bodies arrive as one binary parameter cut by start and length (db/packedBytes.ts);
  // search terms as one JSON array per event (PostgreSQL arrays are rectangular).
  const bodyBytes = param(bodies.bytes, 'bytea');
  const channel = param(CHANGE_CHANNEL, 'text');
  // With tracing off no event has a trace context, and the statement is the same as without tracing.
  const traced = events.some((e) => e.traceContext);
  // Likewise without ordering keys (most batches): the statement stays as it was.
  const keyed = events.some((e) => e.orderingKey !== undefined || e.deliveries.some((d) => d.orderingKey));
  const eventIds = param(
    events.map((e) => e.id),
    'uuid[]',
  );
  const terms = param(
    events.map((e) => JSON.stringify(e.searchTerms ?? [])),
    'jsonb[]',
  );
  const text = `with new_events as (
    insert into event (id, mailbox_id, event_type, content_type, body, delivery_count, pending_count, hops${traced ? ', trace_context' : ''}${keyed ? ', ordering_key' : ''}${withKeys ? ', idempotency_key' : ''})
    select e.id, e.mailbox_id, e.event_type, e.content_type, substring(${bodyBytes} from e.body_start for e.body_length), e.n, e.n,
           e.hops${traced ? ', e.trace_context' : ''}${keyed ? ', e.ordering_key' : ''}${withKeys ? ', e.idempotency_key' : ''}
      from unnest(${eventIds}, ${param(
        events.map((e) => e.mailboxId),
        'uuid[]',
      )}, ${param(
        events.map((e) => e.eventType),
        'text[]',
      )}, ${param(
        events.map((e) => e.contentType),
        'text[]',
      )}, ${param(bodies.starts, 'int[]')}, ${param(bodies.lengths, 'int[]')}, ${param(
        events.map((e) => e.deliveries.length),
        'int[]',
      )}, ${terms}, ${param(
        events.map((e) => e.hops ?? 0),
        'int[]',
      )}${
        traced
          ? `, ${param(
              events.map((e) => (e.traceContext ? JSON.stringify(e.traceContext) : null)),
              'jsonb[]',
            )}`
          : ''
      }${
        keyed
          ? `, ${param(
              events.map((e) => e.orderingKey ?? null),
              'text[]',
            )}`
          : ''
      }${
        withKeys
          ? `, ${param(
              events.map((e) => e.idempotencyKey ?? null),
              'text[]',
            )}`
          : ''
      }) as e(id, mailbox_id, event_type, content_type, body_start, body_length, n, terms, hops${traced ? ', trace_context' : ''}${keyed ? ', ordering_key' : ''}${withKeys ? ', idempotency_key' : ''})
    ${claiming ? 'on conflict (mailbox_id, idempotency_key) where idempotency_key is not null do nothing' : ''}
    returning id, mailbox_id
  ), new_terms as (
    -- Search terms live apart from the event row (migration 20261203073000_event_search_apart).
    insert into event_search (event_id, terms)
    select t.id, array(select jsonb_array_elements_text(t.terms))
      from unnest(${eventIds}, ${terms}) as t(id, terms)
     where jsonb_array_length(t.terms) > 0${claiming ? ' and t.id in (select id from new_events)' : ''}
  ), new_deliveries as (
    insert into delivery (id, event_id, endpoint_id${keyed ? ', ordering_key' : ''})
    select d.id, d.event_id, d.endpoint_id${keyed ? ', d.ordering_key' : ''}
      from unnest(${param(
        deliveries.map((d) => d.id),
        'uuid[]',
      )}, ${param(
        deliveries.map((d) => d.eventId),
        'uuid[]',
      )}, ${param(
        deliveries.map((d) => d.endpointId),
        'uuid[]',
      )}${
        keyed
          ? `, ${param(
              deliveries.map((d) => d.orderingKey ?? null),
              'text[]',
            )}`
          : ''
      }) as d(id, event_id, endpoint_id${keyed ? ', ordering_key' : ''})
     ${claiming ? 'where d.event_id in (select id from new_events)' : ''}
    returning id
  ), notified as (
    ${
      claiming
        ? eventChangesNotifySql(channel, 'new_events')
        : `select pg_notify(${channel}, p) from unnest(${param(
            changePayloads(events.map((e) => ({ kind: 'event', eventId: e.id, mailboxId: e.mailboxId }))),
            'text[]',
          )}) as p`
    }
  )`;
  // A CTE that only reads runs when the statement refers to it: hence the counts. Nothing
  // to deliver (every event unrouted): no job.
  const payloads = jobPayloads(events);
  const jobRows = () =>
    claiming
      ? storedDeliveriesJobRowsSql(
          param(payloads, 'text[]'),
          'select id from new_deliveries',
          `(select count(*) from new_events) = ${param(events.length, 'int')}`,
        )
      : `select unnest(${param(payloads, 'text[]')}) as payload, null::timestamptz as run_at`;
  const jobs = payloads.length ? `, new_jobs as (select j.id from ${addDeliverJobsSql(jobRows())} as j)` : '';
  const { rows } = await db.query<{ not_stored: string[] | null }>({
    name: `insert_events${withKeys ? (claiming ? '_claiming_keys' : '_with_keys') : ''}${payloads.length ? '' : '_unrouted'}${traced ? '_traced' : ''}${keyed ? '_keyed' : ''}`,
    text: `${text}${jobs}
      select ${claiming ? `array(select id from unnest(${eventIds}) as id where id not in (select id from new_events))` : 'null::uuid[]'} as not_stored,
             ${payloads.length ? '(select count(*) from new_jobs)' : '0'}, (select count(*) from notified)`,
    values,
  });
  return new Set(rows[0]?.not_stored ?? []);
}
