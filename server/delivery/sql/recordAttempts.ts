/**
 * Records attempts and their consequences, several at once, in one statement (so one
 * transaction): each attempt row, its delivery's new status, its event's counters (one
 * update per event however many of its deliveries are in the batch), and the jobs of
 * scheduled retries. The attempt row is written with the status change, never after it
 * (invariant 5).
 *
 * Fencing: a delivery is only updated if it is still waiting for exactly this attempt
 * (`attempt_count = number - 1`, not ended). An attempt made by a job that ran again
 * after its delivery moved on is not recorded; the returned ids say which were.
 */
import { packBytes } from '../../db/packedBytes.ts';
import type { Queryable } from '../../db/queryable.ts';
import type { AttemptOutcome } from '../sendAttempt.ts';
import { DELIVER_JOB_MAX_ATTEMPTS, DELIVER_TASK, type AttemptTrigger } from '../deliverJob.ts';

export interface AttemptRecord {
  attemptId: string;
  deliveryId: string;
  number: number;
  trigger: AttemptTrigger;
  url: string;
  requestHeaders: Record<string, string>;
  outcome: AttemptOutcome;
  /** The status the delivery moves to. */
  status: 'delivered' | 'failed' | 'queued';
  /** For `queued`: when the next attempt is due, in ms from now, and its job payload. */
  retry: { delayMs: number; payload: string } | null;
}

// Response bodies arrive as one binary parameter ($11) cut by start and length ($18, $19;
// db/packedBytes.ts).
const recordStatement = `
  with input as (
    select i.*, substring($11::bytea from i.body_start for i.body_length) as response_body
      from unnest($1::uuid[], $2::uuid[], $3::int[], $4::attempt_trigger[], $5::text[], $6::timestamptz[], $7::int[],
                  $8::jsonb[], $9::int[], $10::jsonb[], $18::int[], $19::int[], $12::boolean[], $13::text[], $14::text[],
                  $15::delivery_status[], $16::int[], $17::text[])
        as i(attempt_id, delivery_id, number, trigger, url, started_at, duration_ms, request_headers, status_code,
             response_headers, body_start, body_length, truncated, error_kind, error_message, status, retry_delay_ms, retry_payload)
  ), recorded as (
    update delivery d
       set status = i.status, attempt_count = i.number, last_attempt_at = i.started_at, last_status_code = i.status_code,
           next_attempt_at = case when i.retry_delay_ms is null then null else now() + make_interval(secs => i.retry_delay_ms / 1000.0) end,
           updated_at = now()
      from input i
     where d.id = i.delivery_id and d.attempt_count = i.number - 1 and d.status in ('queued', 'delivering')
 returning d.id, d.event_id, i.status, i.started_at
  ), new_attempts as (
    insert into attempt (id, delivery_id, number, trigger, url, started_at, duration_ms, request_headers, status_code,
                         response_headers, response_body, response_body_truncated, error_kind, error_message)
    select i.attempt_id, i.delivery_id, i.number, i.trigger, i.url, i.started_at, i.duration_ms, i.request_headers, i.status_code,
           i.response_headers, i.response_body, i.truncated, i.error_kind, i.error_message
      from input i join recorded r on r.id = i.delivery_id
  ), per_event as (
    select event_id, count(*)::int as attempts, count(*) filter (where status <> 'queued')::int as ended,
           count(*) filter (where status = 'failed')::int as failed, max(started_at) as last_attempt_at
      from recorded group by event_id
  ), updated_events as (
    update event e
       set attempt_count = e.attempt_count + p.attempts, last_attempt_at = greatest(e.last_attempt_at, p.last_attempt_at),
           pending_count = e.pending_count - p.ended, failed_count = e.failed_count + p.failed
      from per_event p where e.id = p.event_id
  )`;

/** Only batches with a retry add jobs: add_jobs always notifies, and notifications serialise commits. */
const retryJobs = `, retry_jobs as (
    select j.id from graphile_worker.add_jobs(array(
      select row($20::text, i.retry_payload::json, null::text, now() + make_interval(secs => i.retry_delay_ms / 1000.0),
                 $21::smallint, null::text, null::smallint, null::text[])::graphile_worker.job_spec
        from input i join recorded r on r.id = i.delivery_id
       where i.retry_delay_ms is not null)) as j
  )
  select r.id, (select count(*) from retry_jobs) as jobs from recorded r`;

/** Returns the ids of the deliveries whose attempt was recorded. */
export async function recordAttempts(db: Queryable, records: AttemptRecord[]): Promise<Set<string>> {
  const bodies = packBytes(records.map((r) => r.outcome.responseBody));
  const values: unknown[] = [
    records.map((r) => r.attemptId),
    records.map((r) => r.deliveryId),
    records.map((r) => r.number),
    records.map((r) => r.trigger),
    records.map((r) => r.url),
    records.map((r) => r.outcome.startedAt),
    records.map((r) => r.outcome.durationMs),
    records.map((r) => JSON.stringify(r.requestHeaders)),
    records.map((r) => r.outcome.statusCode),
    records.map((r) => (r.outcome.responseHeaders ? JSON.stringify(r.outcome.responseHeaders) : null)),
    bodies.bytes,
    records.map((r) => r.outcome.responseBodyTruncated),
    records.map((r) => r.outcome.errorKind),
    records.map((r) => r.outcome.errorMessage),
    records.map((r) => r.status),
    records.map((r) => r.retry?.delayMs ?? null),
    records.map((r) => r.retry?.payload ?? null),
    bodies.starts,
    bodies.lengths,
  ];
  const withRetries = records.some((r) => r.retry);
  const { rows } = await db.query<{ id: string }>(
    withRetries
      ? {
          name: 'record_attempts_with_retries',
          text: recordStatement + retryJobs,
          values: [...values, DELIVER_TASK, DELIVER_JOB_MAX_ATTEMPTS],
        }
      : { name: 'record_attempts', text: `${recordStatement} select id from recorded`, values },
  );
  return new Set(rows.map((row) => row.id));
}
