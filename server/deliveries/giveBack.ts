/**
 * Giving back claims: deliveries a worker claimed for an attempt but did not send, because
 * their endpoint changed after the claim (health/sendGate.ts). No attempt is recorded; each
 * goes where a fresh claim would have put it: held with the reason (circuit open, paused),
 * cancelled (endpoint disabled or deleted), or put off to the moment the receiver asked
 * for. Only deliveries still claimed by this worker move. Those a concurrency-limited
 * endpoint's claim counted in flight free their places, and an ordering key's line moves on.
 */
import type { ChangeBus } from '../db/changeBus.ts';
import type { Queryable } from '../db/queryable.ts';
import { cancelClaimedDeliveries } from './cancel.ts';
import type { AttemptTrigger } from './deliverJobs.ts';
import { deferDeliveries, holdDeliveries } from './hold.ts';
import { wakeNextInLine } from './orderingLine.ts';

export type GiveBack = { hold: string } | { cancel: true } | { putOff: Date };

export async function giveBackClaims(
  deps: { db: Queryable; changes: Pick<ChangeBus, 'publish'> },
  workerId: string,
  trigger: AttemptTrigger,
  returned: { id: string; to: GiveBack }[],
): Promise<void> {
  const held = new Map<string, string[]>();
  const cancelled: string[] = [];
  const putOff: { id: string; at: Date }[] = [];
  for (const { id, to } of returned) {
    if ('cancel' in to) cancelled.push(id);
    else if ('putOff' in to) putOff.push({ id, at: to.putOff });
    else held.set(to.hold, [...(held.get(to.hold) ?? []), id]);
  }
  await cancelClaimedDeliveries(deps, workerId, cancelled);
  for (const [reason, ids] of held) await holdDeliveries(deps, ids, reason, workerId);
  await deferDeliveries(deps, putOff, trigger, workerId);
  await deps.db.query(freePlacesStatement, [returned.map(({ id }) => id)]);
  // Out of flight without an attempt: an earlier one of its ordering key's line may go first.
  await wakeNextInLine(
    deps.db,
    returned.map(({ id }) => id),
  );
}

// Uncounted and freed in one statement: the health tick's recount, between the two, would
// free them twice. (Until then the recount still counts them: given back a moment ago.)
const freePlacesStatement = `
  with uncounted as (
    update delivery set in_flight_counted = false where id = any($1::uuid[]) and in_flight_counted returning endpoint_id
  )
  update endpoint_health h set in_flight = greatest(0, h.in_flight - u.n)
    from (select endpoint_id, count(*)::int as n from uncounted group by endpoint_id) u
   where h.endpoint_id = u.endpoint_id`;
