/**
 * The delivery lifecycle as a table: which status may follow which, on which trigger,
 * and how the event's counters move with it. Pure: the SQL in this folder is built from
 * it (which rows a statement may touch, what it sets them to, how the counters move), so
 * the database and this table cannot disagree.
 *
 * An event's counters (`pending_count`, `failed_count`, `cancelled_count`), from which
 * PostgreSQL derives `event.status`, are the number of its deliveries in each class of
 * status; a transition moves each counter by the change of its class, nothing else.
 */
import { deliveryStatuses, type DeliveryStatus } from '../events/statuses.ts';

export { deliveryStatuses, type DeliveryStatus };

/** What makes a delivery move. */
export const deliveryTriggers = [
  /** A worker takes it for an attempt (or takes over one whose worker died). */
  'claim',
  /** The attempt got a 2xx. */
  'succeed',
  /** The attempt failed and the retry policy has another one. */
  'retry',
  /** The attempt failed and there is no other (or it was a one-off manual or test attempt). */
  'fail',
  /** Its endpoint was disabled or deleted before it was attempted. */
  'cancel',
  /** An operator asked for another attempt, or a stranded delivery was put back in line. */
  'requeue',
  /** Its job gave up (graphile-worker's own attempts exhausted): ended with the reason recorded. */
  'strand',
  /** Its endpoint cannot take it now (circuit open, paused): it waits, without a job, attempting nothing. */
  'hold',
  /** Its endpoint can take it again: back in line with a job. */
  'release',
  /** Its event was erased: what waits, or failed and could be replayed, ends cancelled (there is nothing left to send). */
  'erase',
] as const;
export type DeliveryTrigger = (typeof deliveryTriggers)[number];

/**
 * Every defined transition; a (status, trigger) pair not listed is refused. Which of the
 * allowed rows a statement picks (for example "only if the worker that claimed it is
 * dead") is the statement's own condition on top of this table.
 */
export const transitions: Record<DeliveryTrigger, Partial<Record<DeliveryStatus, DeliveryStatus>>> = {
  claim: { queued: 'delivering', delivering: 'delivering' },
  succeed: { delivering: 'delivered' },
  retry: { delivering: 'queued' },
  fail: { delivering: 'failed' },
  cancel: { queued: 'cancelled', held: 'cancelled', delivering: 'cancelled' },
  requeue: { queued: 'queued', delivering: 'queued', failed: 'queued', cancelled: 'queued' },
  strand: { queued: 'failed', delivering: 'failed' },
  hold: { queued: 'held', delivering: 'held' },
  release: { held: 'queued' },
  erase: { queued: 'cancelled', held: 'cancelled', failed: 'cancelled' },
};

/** The event counter each status counts towards (delivered ones count only in `delivery_count`). */
export const counterOf: Record<DeliveryStatus, 'pending' | 'failed' | 'cancelled' | null> = {
  queued: 'pending',
  held: 'pending',
  delivering: 'pending',
  delivered: null,
  failed: 'failed',
  cancelled: 'cancelled',
};

export interface CounterDelta {
  pending: number;
  failed: number;
  cancelled: number;
}

/** How an event's counters move when one of its deliveries goes from `from` to `to`. */
export function counterDelta(from: DeliveryStatus, to: DeliveryStatus): CounterDelta {
  const delta: CounterDelta = { pending: 0, failed: 0, cancelled: 0 };
  const before = counterOf[from];
  const after = counterOf[to];
  if (before === after) return delta;
  if (before) delta[before] -= 1;
  if (after) delta[after] += 1;
  return delta;
}

export interface Transition {
  from: DeliveryStatus;
  to: DeliveryStatus;
  counters: CounterDelta;
}

/** The transition a trigger makes from a status, or null when the table refuses it. */
export function transition(from: DeliveryStatus, trigger: DeliveryTrigger): Transition | null {
  const to = transitions[trigger][from];
  return to ? { from, to, counters: counterDelta(from, to) } : null;
}

/** The statuses a trigger may move a delivery from. */
export function statusesFor(trigger: DeliveryTrigger): DeliveryStatus[] {
  return deliveryStatuses.filter((status) => transitions[trigger][status] !== undefined);
}

/** The statuses that count towards a counter. */
export function statusesCountedAs(counter: keyof CounterDelta): DeliveryStatus[] {
  return deliveryStatuses.filter((status) => counterOf[status] === counter);
}
