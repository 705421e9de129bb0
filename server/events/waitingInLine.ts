/**
 * Why a delivery of an ordering key waits, for people: one `queued` behind an earlier
 * delivery of its key (deliveries/orderingLine.ts) has no attempt due and no reason of its
 * own, so its status alone would look stuck. Reads ask here which deliveries wait behind
 * their key and say so in `statusReason`. Only keyed, queued deliveries are looked up.
 */
import type { Queryable } from '../db/queryable.ts';
import { behindItsLine } from '../deliveries/orderingLine.ts';

export interface LineMember {
  id: string;
  status: string;
  orderingKey: string | null;
}

/** The reason shown for a delivery that waits behind its key. */
function waitingInLineReason(orderingKey: string): string {
  return `Waiting for an earlier delivery of ordering key "${orderingKey}" to end (delivered, failed after its retries, or cancelled).`;
}

/** The ids of these deliveries that wait behind an earlier one of their ordering key. */
export async function waitingInLine(db: Queryable, deliveries: readonly LineMember[]): Promise<Set<string>> {
  const keyed = deliveries.filter((d) => d.status === 'queued' && d.orderingKey !== null).map((d) => d.id);
  if (keyed.length === 0) return new Set();
  const { rows } = await db.query<{ id: string }>(
    `select d.id from delivery d where d.id = any($1::uuid[]) and d.status = 'queued' and ${behindItsLine('d')}`,
    [keyed],
  );
  return new Set(rows.map((row) => row.id));
}

/** A delivery's status reason as shown: its own, else why it waits in line (when it does). */
export function shownStatusReason(
  delivery: LineMember & { statusReason: string | null },
  waiting: ReadonlySet<string>,
): string | null {
  if (delivery.statusReason !== null || !waiting.has(delivery.id) || delivery.orderingKey === null) {
    return delivery.statusReason;
  }
  return waitingInLineReason(delivery.orderingKey);
}
