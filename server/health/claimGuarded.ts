/**
 * Claiming for an endpoint that is not plain (paused, circuit open or half-open,
 * throttled by its receiver, rate or concurrency limited). Under the lock of the
 * endpoint's health row, shared by every worker, the pure rules (endpoints/circuit.ts)
 * decide which of the job's deliveries go now, which wait held, and which are put off;
 * the lifecycle module carries it out; the health row keeps what was decided (a probe on
 * its way, rate-limit slots taken, requests in flight). All in one transaction.
 */
import type pg from 'pg';
import type { Change, ChangeBus } from '../db/changeBus.ts';
import { withTransaction } from '../db/pool.ts';
import { claimable, claimDeliveries, type Claim } from '../deliveries/claim.ts';
import type { AttemptTrigger } from '../deliveries/deliverJobs.ts';
import { deferDeliveries, holdDeliveries } from '../deliveries/hold.ts';
import { isLineConflict } from '../deliveries/orderingLine.ts';
import { holdsEverything, planClaim } from '../endpoints/circuit.ts';
import { lockHealth, peekHealth, saveHealth } from './healthRow.ts';

export async function claimGuarded(
  deps: { claimPool: pg.Pool; changes: Pick<ChangeBus, 'publish'> },
  workerId: string,
  deliveryIds: string[],
  trigger: AttemptTrigger,
  /** How long the endpoint's requests take, when known (planClaim). */
  requestMs: number | null = null,
): Promise<Claim> {
  // Two workers claiming deliveries of one ordering key at once: the loser's transaction is
  // aborted (deliveries/orderingLine.ts); run once more, it sees the winner's in flight.
  return claimOnce(deps, workerId, deliveryIds, trigger, requestMs).catch((error: unknown) => {
    if (!isLineConflict(error)) throw error;
    return claimOnce(deps, workerId, deliveryIds, trigger, requestMs);
  });
}

async function claimOnce(
  deps: { claimPool: pg.Pool; changes: Pick<ChangeBus, 'publish'> },
  workerId: string,
  deliveryIds: string[],
  trigger: AttemptTrigger,
  requestMs: number | null,
): Promise<Claim> {
  // Live changes go out once the transaction committed.
  const changes: Change[] = [];
  const collect = { publish: (change: Change) => void changes.push(change) };
  const claim = await withTransaction(deps.claimPool, async (client): Promise<Claim> => {
    const none: Claim = { claimed: [], cancelled: [], guarded: [], healthDirty: false };
    const { rows } = await client.query<{ id: string; endpoint_id: string }>({
      name: 'claim_guarded_read',
      text: `select d.id, d.endpoint_id from delivery d where d.id = any($1::uuid[]) and ${claimable} order by d.id`,
      values: [deliveryIds, workerId],
    });
    if (rows.length === 0) return none;
    const endpointId = rows[0]!.endpoint_id;
    const ids = rows.map((row) => row.id);
    // Paused, an open circuit still resting, or a half-open one waiting for its probe:
    // everything is held and the health does not change, so the row's lock is not needed
    // (every job of a dead endpoint used to queue on it). A circuit that closes meanwhile
    // releases what was held (releaseTask.ts, tick).
    const peeked = await peekHealth(client, endpointId);
    const now = new Date();
    if (peeked?.active && holdsEverything(peeked.health, peeked.limits, now, ids)) {
      const plan = planClaim(peeked.health, peeked.limits, ids, now);
      await holdDeliveries({ db: client, changes: collect }, plan.hold.ids, plan.hold.reason);
      return none;
    }
    const locked = await lockHealth(client, endpointId);
    // A disabled or deleted endpoint: the claim cancels them, whatever the plan.
    if (!locked || !locked.active) {
      return claimDeliveries({ db: client, changes: collect }, workerId, ids, {
        guardedAlreadyPlanned: true,
        inTransaction: true,
      });
    }
    const plan = planClaim(locked.health, locked.limits, ids, new Date(), requestMs);
    const claimed = await claimDeliveries({ db: client, changes: collect }, workerId, plan.claim, {
      guardedAlreadyPlanned: true,
      inTransaction: true,
      // Counted where planClaim counted them: each frees its place when its attempt is recorded.
      countInFlight: locked.limits.maxInFlight !== null,
    });
    await holdDeliveries({ db: client, changes: collect }, plan.hold.ids, plan.hold.reason);
    await deferDeliveries({ db: client }, plan.defer, trigger);
    const moved = plan.health.circuitState !== locked.health.circuitState;
    await saveHealth(client, endpointId, plan.health, moved);
    if (moved) changes.push({ kind: 'endpoint', endpointId, mailboxId: locked.mailboxId });
    return { ...claimed, guarded: [], healthDirty: true };
  });
  for (const change of changes) deps.changes.publish(change);
  return claim;
}
