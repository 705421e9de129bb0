/**
 * Releasing an endpoint's held deliveries once it can take them again (its circuit closed,
 * it was resumed): the `release_held` job puts them back in line oldest first, a batch at a
 * time, a second apart, so a backlog that built up during an outage reaches the receiver
 * at a controlled rate instead of all at once. One job per endpoint (its job key).
 */
import type { Task } from 'graphile-worker';
import type pg from 'pg';
import { z } from 'zod';
import type { ChangeBus } from '../db/changeBus.ts';
import { withTransaction } from '../db/pool.ts';
import type { Queryable } from '../db/queryable.ts';
import { releaseHeld } from '../deliveries/hold.ts';
import { lockHealth } from './healthRow.ts';

export const RELEASE_TASK = 'release_held';

/** Held deliveries released per batch, one batch a second. */
export const RELEASE_BATCH = 500;

const payloadSchema = z.object({ endpointId: z.uuid() });

/** Makes sure a release job is due for the endpoint (a second one is not added). */
export async function scheduleRelease(db: Queryable, endpointId: string, delayMs = 0): Promise<void> {
  await db.query(
    `select graphile_worker.add_job($1, json_build_object('endpointId', $2::text), run_at := now() + make_interval(secs => $3),
            job_key := 'release:' || $2, job_key_mode := 'preserve_run_at')`,
    [RELEASE_TASK, endpointId, delayMs / 1000],
  );
}

export function makeReleaseTask(deps: { claimPool: pg.Pool; changes: Pick<ChangeBus, 'publish'> }): Task {
  return async (rawPayload) => {
    const { endpointId } = payloadSchema.parse(rawPayload);
    await withTransaction(deps.claimPool, async (client) => {
      const locked = await lockHealth(client, endpointId);
      // Not now: the endpoint went away, was paused again, or its circuit reopened.
      if (!locked || !locked.active || locked.limits.paused || locked.health.circuitState !== 'closed') return;
      const released = await releaseHeld({ db: client, changes: deps.changes }, endpointId, RELEASE_BATCH);
      if (released.length === RELEASE_BATCH) await scheduleRelease(client, endpointId, 1_000);
    });
  };
}
