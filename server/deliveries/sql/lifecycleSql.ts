/**
 * SQL built from the lifecycle table (../lifecycle.ts), so that every statement that
 * changes deliveries picks its rows, and moves the event counters, exactly as the table
 * says. Only constants from the table are interpolated, never input.
 */
import {
  statusesCountedAs,
  statusesFor,
  type CounterDelta,
  type DeliveryStatus,
  type DeliveryTrigger,
} from '../lifecycle.ts';

const statusArray = (statuses: DeliveryStatus[]) => `'{${statuses.join(',')}}'::delivery_status[]`;

/** `column = any(<the statuses the trigger may move from>)`. */
export function allowedFrom(trigger: DeliveryTrigger, column: string): string {
  return `${column} = any(${statusArray(statusesFor(trigger))})`;
}

/** `column = any(<the statuses that count towards the counter>)`, e.g. still to be sent for `pending`. */
export function countedAs(counter: keyof CounterDelta, column: string): string {
  return `${column} = any(${statusArray(statusesCountedAs(counter))})`;
}

/** 1 when the status in `column` counts towards the counter, else 0. */
function countsAs(counter: keyof CounterDelta, column: string): string {
  return `(${countedAs(counter, column)})::int`;
}

/**
 * CTEs (to append after a comma) that carry out what the rows of `source` moving means
 * beyond the deliveries themselves: the event counters and the dead letters. `source` is
 * a CTE with columns `id`, `event_id`, `endpoint_id`, `from_status`, `to_status`,
 * `attempted` (1 when the row is an HTTP attempt, else 0) and `attempted_at` (its start,
 * or null).
 */
export function lifecycleCtes(source: string): string {
  return `${eventCounterCtes(source)}, ${deadLetterCtes(source)}`;
}

/**
 * The event counters: one update per event however many of its deliveries moved; events
 * whose counters do not move are not written.
 */
function eventCounterCtes(source: string): string {
  const move = (counter: keyof CounterDelta) =>
    `sum(${countsAs(counter, 'to_status')} - ${countsAs(counter, 'from_status')})::int as ${counter}`;
  return `counter_moves as (
    select event_id, ${move('pending')}, ${move('failed')}, ${move('cancelled')},
           sum(attempted)::int as attempts, max(attempted_at) as attempted_at
      from ${source} group by event_id
  ), counted as (
    update event e
       set pending_count = e.pending_count + m.pending,
           failed_count = e.failed_count + m.failed,
           cancelled_count = e.cancelled_count + m.cancelled,
           attempt_count = e.attempt_count + m.attempts,
           last_attempt_at = greatest(e.last_attempt_at, m.attempted_at)
      from counter_moves m
     where e.id = m.event_id and (m.pending <> 0 or m.failed <> 0 or m.cancelled <> 0 or m.attempts <> 0)
  )`;
}

/** A delivery that ends failed becomes a dead letter; one that leaves failed stops being one. */
function deadLetterCtes(source: string): string {
  return `dead_in as (
    insert into dead_letter (delivery_id, endpoint_id, mailbox_id)
    select s.id, s.endpoint_id, e.mailbox_id from ${source} s join event e on e.id = s.event_id
     where s.to_status = 'failed' and s.from_status <> 'failed'
        on conflict do nothing
  ), dead_out as (
    delete from dead_letter l using ${source} s
     where l.delivery_id = s.id and s.from_status = 'failed' and s.to_status <> 'failed'
  )`;
}
