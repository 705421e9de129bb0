/**
 * Ordering keys, the delivery side: on an endpoint "ordered by key", the deliveries of one
 * key form a line (`delivery.ordering_key`, set at ingest: ingest/orderingKey.ts). The rule:
 *
 * - A delivery of a line may be claimed only when no earlier delivery of its line is still
 *   to be sent (queued, held or delivering) and no other one is in flight. So a line sends
 *   one request at a time, oldest first, while other lines (and unkeyed deliveries) go in
 *   parallel.
 * - The head keeps its place through its retries, and while held (circuit open, paused):
 *   a failing head holds back its own line only. The line moves on when the head ends:
 *   delivered, failed (its retry policy used up) or cancelled (an operator's skip).
 * - A delivery whose job finds it behind its line is left `queued` without a job (nothing
 *   to try yet), remembering the job's trigger when it was not a scheduled one (a manual
 *   retry, a replay); when the one ahead of it ends or steps out of flight, `wakeNextInLine`
 *   gives the new head a job of that trigger at once. The reconciler does not count deliveries behind
 *   their line as stranded; a head whose wake was lost (a crash between the two) is
 *   stranded like any queued delivery without a job, and put back in line.
 *
 * Arrival order is the deliveries' id order (UUIDv7, taken as each request is accepted).
 * Two workers claiming two deliveries of one line at the same moment cannot both win:
 * the unique index `delivery_ordering_in_flight_key` admits one delivering row per line,
 * and the loser's statement fails (it is tried again, and then sees the winner in flight).
 * A check in the statement alone would not do under READ COMMITTED: each statement's
 * snapshot can miss the other's uncommitted claim.
 */
import type { Queryable } from '../db/queryable.ts';
import {
  addDeliverJobsSql,
  deliverJobPayloadsSql,
  oneDeliveryJobPayloadSql,
  type AttemptTrigger,
} from './deliverJobs.ts';
import { countedAs } from './sql/lifecycleSql.ts';

/** The unique index that keeps a line to one request in flight (migration 20261203020100_ordering_keys). */
const IN_FLIGHT_PER_KEY_INDEX = 'delivery_ordering_in_flight_key';

/**
 * SQL: the delivery `d` (an alias) must wait behind its line: one of its line is in flight,
 * or, unless `d` is in flight itself (taken over from a dead worker: it keeps its turn),
 * an earlier one is still to be sent. False at once for unkeyed deliveries. Both checks are
 * probes of the line's partial indexes, whatever the line's history.
 */
export function behindItsLine(d: string): string {
  return `(${d}.ordering_key is not null and (
      exists (select 1 from delivery l where l.endpoint_id = ${d}.endpoint_id and l.ordering_key = ${d}.ordering_key
                 and l.ordering_stage = 2 and l.id <> ${d}.id)
      or (${d}.status <> 'delivering'
          and exists (select 1 from delivery l where l.endpoint_id = ${d}.endpoint_id and l.ordering_key = ${d}.ordering_key
                         and l.ordering_stage is not null and l.id < ${d}.id))))`;
}

// Behind its line, or due: one that was behind its line when the job's claim read it may
// have had its turn since (the attempt ahead of it recorded and woke it with a scheduled
// job); that job's claim then takes the trigger remembered here (claim.ts).
const rememberStatement = `
  update delivery d set waiting_trigger = $2::attempt_trigger
   where d.id = any($1::uuid[]) and d.status = 'queued' and d.ordering_key is not null
     and (${behindItsLine('d')} or d.next_attempt_at is null or d.next_attempt_at <= now())`;

/**
 * Of these deliveries a job named and did not claim, those of an ordering key's line still
 * waiting to go remember the job's trigger, so that their turn is a manual (replay, test)
 * attempt like the job's, not the retry policy's. Only for jobs that are not scheduled: a
 * scheduled one is the default.
 */
export async function rememberTrigger(db: Queryable, deliveryIds: readonly string[], trigger: AttemptTrigger) {
  if (deliveryIds.length === 0 || trigger === 'scheduled') return;
  await db.query({ name: 'remember_waiting_trigger', text: rememberStatement, values: [deliveryIds, trigger] });
}

/** Whether an error is a second claim in flight for one line (the unique index refused it). */
export function isLineConflict(error: unknown): boolean {
  const e = error as { code?: string; constraint?: string } | null;
  return e?.code === '23505' && e.constraint === IN_FLIGHT_PER_KEY_INDEX;
}

// For each line a moved delivery belongs to, its head (the earliest still to send) gets a
// job when it is queued and due with nothing of its line in flight. A head that has a job
// already gets a second one, which finds nothing to do (claim.ts, deliverTask.ts): cheaper
// than looking for its job. One retrying is not due: its job is due when its next attempt
// is. The job is the attempt the head was meant to have (a manual retry, a replay), which
// it stops remembering.
const wakeStatement = `
  with lines as (
    select distinct d.endpoint_id, d.ordering_key from delivery d
     where d.id = any($1::uuid[]) and d.ordering_key is not null
  ), heads as (
    select h.id, h.endpoint_id, coalesce(h.waiting_trigger, 'scheduled') as trigger
      from lines l
     cross join lateral (
       select o.id, o.endpoint_id, o.status, o.next_attempt_at, o.waiting_trigger from delivery o
        where o.endpoint_id = l.endpoint_id and o.ordering_key = l.ordering_key and o.ordering_stage is not null
        order by o.id limit 1) h
     where h.status = 'queued' and (h.next_attempt_at is null or h.next_attempt_at <= now())
       and not exists (select 1 from delivery f where f.endpoint_id = l.endpoint_id and f.ordering_key = l.ordering_key
                          and f.ordering_stage = 2)
  ), forgotten as (
    update delivery d set waiting_trigger = null from heads h where d.id = h.id and d.waiting_trigger is not null
  )
  select count(*)::int as woken from ${addDeliverJobsSql(`
    select ${oneDeliveryJobPayloadSql('h.trigger', 'h.endpoint_id', 'h.id')} as payload, null::timestamptz as run_at
      from heads h`)}`;

/**
 * Gives the next delivery of each line these deliveries belong to a job, if it may go now
 * (call after they ended or stepped out of flight, in or after the transaction that moved
 * them). Unkeyed deliveries are ignored. Returns how many were woken.
 */
export async function wakeNextInLine(db: Queryable, deliveryIds: readonly string[]): Promise<number> {
  if (deliveryIds.length === 0) return 0;
  const { rows } = await db.query<{ woken: number }>({
    name: 'wake_next_in_line',
    text: wakeStatement,
    values: [deliveryIds],
  });
  return rows[0]?.woken ?? 0;
}

/**
 * SQL ($1: an endpoint) for the moment an endpoint stops being ordered by key: its
 * deliveries still to send leave their lines and go as unkeyed ones do. Those waiting
 * behind a line have no job, so each queued and due one gets one, of the trigger it was
 * remembering (a line's head may have one already: the second finds nothing to do).
 * Retrying ones keep the job of their next attempt; held ones are released by their
 * endpoint's health. Run it in the transaction that turns the ordering off.
 */
export const leaveLinesSql = `
  with target as (
    select d.id, d.endpoint_id, d.status, d.next_attempt_at, coalesce(d.waiting_trigger, 'scheduled') as trigger
      from delivery d
     where d.endpoint_id = $1::uuid and d.ordering_key is not null
       and ${countedAs('pending', 'd.status')}
     order by d.id
       for update
  ), freed as (
    update delivery d set ordering_key = null, waiting_trigger = null, updated_at = now() from target t where d.id = t.id
  )
  select count(*)::int as jobs from ${addDeliverJobsSql(
    deliverJobPayloadsSql(`select t.id, t.endpoint_id, t.trigger from target t
                            where t.status = 'queued' and (t.next_attempt_at is null or t.next_attempt_at <= now())`),
  )}`;
