/**
 * Records one attempt and its consequences in one statement (so one transaction):
 * the attempt row, the delivery's new status, the event's counters, and, when the
 * retry policy asks for it, the job of the next attempt. The attempt row is written
 * with the status change, never after it (invariant 5).
 */
import type { Queryable } from '../../db/queryable.ts';
import type { AttemptOutcome } from '../sendAttempt.ts';
import type { AttemptTrigger } from '../deliverJob.ts';
import { DELIVER_JOB_MAX_ATTEMPTS, DELIVER_TASK } from '../deliverJob.ts';

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

export async function recordAttempt(db: Queryable, record: AttemptRecord): Promise<void> {
  const { outcome } = record;
  const ended = record.status === 'queued' ? 0 : 1;
  await db.query({
    name: 'record_attempt',
    text: `
      with new_attempt as (
        insert into attempt (id, delivery_id, number, trigger, url, started_at, duration_ms, request_headers,
                             status_code, response_headers, response_body, response_body_truncated, error_kind, error_message)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
      ), updated_delivery as (
        update delivery
           set status = $15::delivery_status, attempt_count = $3, last_attempt_at = $6, last_status_code = $9,
               next_attempt_at = case when $17::int is null then null else now() + make_interval(secs => $17::int / 1000.0) end,
               updated_at = now()
         where id = $2
     returning event_id
      ), updated_event as (
        update event
           set attempt_count = attempt_count + 1,
               last_attempt_at = greatest(last_attempt_at, $6),
               pending_count = pending_count - $16,
               failed_count = failed_count + (case when $15 = 'failed' then 1 else 0 end)
         where id = (select event_id from updated_delivery)
      ), next_job as (
        select graphile_worker.add_job($18, $19::json,
                 run_at := now() + make_interval(secs => $17::int / 1000.0), max_attempts := $20)
         where $17::int is not null
      )
      select (select count(*) from next_job) as jobs`,
    values: [
      record.attemptId,
      record.deliveryId,
      record.number,
      record.trigger,
      record.url,
      outcome.startedAt,
      outcome.durationMs,
      record.requestHeaders,
      outcome.statusCode,
      outcome.responseHeaders,
      outcome.responseBody,
      outcome.responseBodyTruncated,
      outcome.errorKind,
      outcome.errorMessage,
      record.status,
      ended,
      record.retry?.delayMs ?? null,
      DELIVER_TASK,
      record.retry?.payload ?? null,
      DELIVER_JOB_MAX_ATTEMPTS,
    ],
  });
}
