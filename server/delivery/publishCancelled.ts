/** Cancels what waits for some endpoints and tells live subscribers. */
import type pg from 'pg';
import type { ChangeBus } from '../db/changeBus.ts';
import { cancelWaitingDeliveries } from './sql/cancelDelivery.ts';

export async function cancelWaitingAndPublish(
  rt: { pool: pg.Pool; changes: ChangeBus },
  endpointIds: string[],
): Promise<number> {
  const cancelled = await cancelWaitingDeliveries(rt.pool, endpointIds);
  for (const delivery of cancelled)
    rt.changes.publish({ kind: 'delivery', ...delivery, status: 'cancelled', attempt: null });
  return cancelled.length;
}
