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
import { planClaim } from '../endpoints/circuit.ts';
import { lockHealth, saveHealth } from './healthRow.ts';

export async function claimGuarded(
  deps: { claimPool: pg.Pool; changes: Pick<ChangeBus, 'publish'> },
  workerId: string,
  deliveryIds: string[],
  trigger: AttemptTrigger,
): Promise<Claim> {
  // Live changes go out once the transaction committed.
  const changes: Change[] = [];
  const collect = { publish: (change: Change) => void changes.push(change) };
  const claim = await withTransaction(deps.claimPool, async (client): Promise<Claim> => {
    const none: Claim = { claimed: [], cancelled: [], guarded: [], healthDirty: false };
    const { rows } = await client.query<{ id: string; endpoint_id: string }>(
      `select d.id, d.endpoint_id from delivery d where d.id = any($1::uuid[]) and ${claimable} order by d.id`,
      [deliveryIds, workerId],
    );
    if (rows.length === 0) return none;
    const endpointId = rows[0]!.endpoint_id;
    const locked = await lockHealth(client, endpointId);
    const ids = rows.map((row) => row.id);
    // A disabled or deleted endpoint: the claim cancels them, whatever the plan.
    if (!locked || !locked.active) {
      return claimDeliveries({ db: client, changes: collect }, workerId, ids, { guardedAlreadyPlanned: true });
    }
    const plan = planClaim(locked.health, locked.limits, ids, new Date());
    const claimed = await claimDeliveries({ db: client, changes: collect }, workerId, plan.claim, {
      guardedAlreadyPlanned: true,
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
