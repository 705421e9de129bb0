/**
 * Records attempts and what they decide, several at once, in one statement (so one
 * transaction): each attempt row, its delivery's next status (delivered, failed, or
 * queued for a retry with its job), and its event's counters, then tells live views.
 * The attempt row is written with the status change, never after it (invariant 5).
 *
 * Every request sent is recorded, whoever sent it: an attempt is numbered after the
 * delivery's latest one when it is written. Only the worker that holds the delivery's
 * claim moves it on; an attempt from a worker that lost its claim (declared dead while
 * its request was still out) is kept as a record and changes nothing else.
 */
import type { ChangeBus } from '../db/changeBus.ts';
import { packBytes } from '../db/packedBytes.ts';
import type { Queryable } from '../db/queryable.ts';
import { addDeliverJobsSql, deliverJobPayloads, type AttemptTrigger } from './deliverJobs.ts';
import type { DeliveryStatus } from './lifecycle.ts';
import { wakeNextInLine } from './orderingLine.ts';
import { publishDeliveryChange, type DeliveryRef } from './publish.ts';
import { lifecycleCtes } from './sql/lifecycleSql.ts';

/** What happened on the wire (delivery/sendAttempt.ts's outcome has these and more). */
export interface AttemptResult {
  startedAt: Date;
  durationMs: number;
  statusCode: number | null;
  responseHeaders: Record<string, string> | null;
  responseBody: Buffer | null;
  responseBodyTruncated: boolean;
  errorKind: string | null;
  errorMessage: string | null;
}

/** Where the attempt leaves the delivery: the lifecycle's succeed, fail or retry. */
export type AttemptDecision = { status: 'delivered' } | { status: 'failed' } | { status: 'queued'; retryInMs: number };

export interface AttemptRecord {
  attemptId: string;
  delivery: DeliveryRef;
  /** The worker that claimed the delivery and sent this request. */
  workerId: string;
  trigger: AttemptTrigger;
  url: string;
  requestHeaders: Record<string, string>;
  result: AttemptResult;
  decision: AttemptDecision;
  /** Whether the delivery is in an ordering key's line (orderingLine.ts): its end lets the next one go. */
  ordered?: boolean;
}

export interface RecordedAttempt {
  /** The attempt's number in its delivery (1 for the first). */
  number: number;
  /** False when the worker had lost its claim: the attempt is recorded, the delivery did not move. */
  moved: boolean;
  status: DeliveryStatus;
}

// Response bodies arrive as one binary parameter ($11) cut by start and length ($12, $13;
// db/packedBytes.ts).
const recordStatement = `
  with input as (
    select i.*, substring($11::bytea from i.body_start for i.body_length) as response_body
      from unnest($1::uuid[], $2::uuid[], $3::text[], $4::attempt_trigger[], $5::text[], $6::timestamptz[], $7::int[],
                  $8::jsonb[], $9::int[], $10::jsonb[], $12::int[], $13::int[], $14::boolean[], $15::text[], $16::text[],
                  $17::delivery_status[], $18::int[], $19::text[])
        as i(attempt_id, delivery_id, worker_id, trigger, url, started_at, duration_ms, request_headers, status_code,
             response_headers, body_start, body_length, truncated, error_kind, error_message, status, retry_in_ms, retry_payload)
  ), target as (
    select d.id, d.status as from_status, (d.status = 'delivering' and d.claimed_by = i.worker_id) as owned,
           d.in_flight_counted as counted
      from input i join delivery d on d.id = i.delivery_id
       for update of d
  ), changed as (
    update delivery d
       set attempt_count = d.attempt_count + 1, last_attempt_at = i.started_at, last_status_code = i.status_code,
           last_error_kind = i.error_kind,
           status = case when t.owned then i.status else d.status end,
           next_attempt_at = case
             when not t.owned then d.next_attempt_at
             when i.retry_in_ms is not null then now() + make_interval(secs => i.retry_in_ms / 1000.0)
           end,
           claimed_by = case when t.owned then null else d.claimed_by end,
           in_flight_counted = d.in_flight_counted and not t.owned,
           updated_at = now()
      from input i join target t on t.id = i.delivery_id
     where d.id = i.delivery_id
 returning d.id, d.event_id, d.endpoint_id, t.from_status, d.status as to_status, 1 as attempted, i.started_at as attempted_at,
           d.attempt_count as number, t.owned, t.owned and t.counted as freed, d.next_attempt_at
  ), new_attempts as (
    insert into attempt (id, delivery_id, number, trigger, url, started_at, duration_ms, request_headers, status_code,
                         response_headers, response_body, response_body_truncated, error_kind, error_message)
    select i.attempt_id, i.delivery_id, c.number, i.trigger, i.url, i.started_at, i.duration_ms, i.request_headers,
           i.status_code, i.response_headers, i.response_body, i.truncated, i.error_kind, i.error_message
      from input i join changed c on c.id = i.delivery_id
  ), ${lifecycleCtes('changed')},
  -- A concurrency-limited endpoint's claim counted these in flight (health/claimGuarded.ts):
  -- their places free up in the transaction that ends them, so no count of the endpoint's
  -- requests in flight ever misses one that is still out, or drops one twice (only those
  -- counted: a limit set while others were out does not free places for them).
  -- The rows are locked in one order (by endpoint), as everywhere several are: two
  -- batches with the same endpoints in another order would deadlock.
  places as (
    select h.endpoint_id, f.n from endpoint_health h
      join (select c.endpoint_id, count(*)::int as n from changed c where c.freed group by c.endpoint_id) f
        on f.endpoint_id = h.endpoint_id
     order by h.endpoint_id
       for update of h
  ), freed_places as (
    update endpoint_health h set in_flight = greatest(0, h.in_flight - p.n) from places p where h.endpoint_id = p.endpoint_id
  )`;

/** Only batches with a retry add jobs: add_jobs always notifies, and notifications serialise commits. */
const retryJobs = `, retry_jobs as (
    select j.id from ${addDeliverJobsSql(`
      select i.retry_payload as payload, c.next_attempt_at as run_at
        from input i join changed c on c.id = i.delivery_id
       where c.owned and i.retry_in_ms is not null`)} as j
  )
  select c.id, c.number, c.owned, c.to_status, (select count(*) from retry_jobs) as jobs from changed c`;

interface RecordedRow {
  id: string;
  number: number;
  owned: boolean;
  to_status: DeliveryStatus;
}

/** Writes the records; returns, in their order, what became of each. */
export async function recordAttempts(
  deps: { db: Queryable; changes: Pick<ChangeBus, 'publish'> },
  records: AttemptRecord[],
): Promise<RecordedAttempt[]> {
  const bodies = packBytes(records.map((r) => r.result.responseBody));
  const retryInMs = (r: AttemptRecord) => (r.decision.status === 'queued' ? r.decision.retryInMs : null);
  const values: unknown[] = [
    records.map((r) => r.attemptId),
    records.map((r) => r.delivery.deliveryId),
    records.map((r) => r.workerId),
    records.map((r) => r.trigger),
    records.map((r) => r.url),
    records.map((r) => r.result.startedAt),
    records.map((r) => r.result.durationMs),
    records.map((r) => JSON.stringify(r.requestHeaders)),
    records.map((r) => r.result.statusCode),
    records.map((r) => (r.result.responseHeaders ? JSON.stringify(r.result.responseHeaders) : null)),
    bodies.bytes,
    bodies.starts,
    bodies.lengths,
    records.map((r) => r.result.responseBodyTruncated),
    records.map((r) => r.result.errorKind),
    records.map((r) => r.result.errorMessage),
    records.map((r) => r.decision.status),
    records.map(retryInMs),
    // A retry is the retry policy's next scheduled attempt, whatever triggered this one.
    records.map((r) =>
      r.decision.status === 'queued'
        ? deliverJobPayloads('scheduled', [{ id: r.delivery.deliveryId, endpointId: r.delivery.endpointId }])[0]!
        : null,
    ),
  ];
  const withRetries = records.some((r) => r.decision.status === 'queued');
  const { rows } = await deps.db.query<RecordedRow>(
    withRetries
      ? { name: 'record_attempts_with_retries', text: recordStatement + retryJobs, values }
      : {
          name: 'record_attempts',
          text: `${recordStatement} select id, number, owned, to_status from changed`,
          values,
        },
  );
  const byId = new Map(rows.map((row) => [row.id, row]));
  // Ended or out of flight: the next of its ordering key's line may go now. After the
  // commit, and never failing the records (written already): a wake lost here is made good
  // by the reconciler, which finds a line's head without a job stranded.
  const stepped = records.filter((r) => r.ordered && byId.get(r.delivery.deliveryId)?.owned);
  if (stepped.length > 0) {
    await wakeNextInLine(
      deps.db,
      stepped.map((r) => r.delivery.deliveryId),
    ).catch(() => 0);
  }
  return records.map((record) => {
    const row = byId.get(record.delivery.deliveryId);
    // Every record names a delivery that exists (it was claimed), so a row always comes back.
    if (!row) throw new Error(`Delivery ${record.delivery.deliveryId} of an attempt record was not found.`);
    publishDeliveryChange(deps.changes, record.delivery, row.to_status, row.number);
    return { number: row.number, moved: row.owned, status: row.to_status };
  });
}
