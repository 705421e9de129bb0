/** Cancels what waits for some endpoints and tells live subscribers. */
import type { Runtime } from '../runtime.ts';
import { cancelWaitingDeliveries } from './sql/cancelDelivery.ts';

export async function cancelWaitingAndPublish(rt: Pick<Runtime, 'pool' | 'changes'>, endpointIds: string[]): Promise<number> {
  const cancelled = await cancelWaitingDeliveries(rt.pool, endpointIds);
  for (const delivery of cancelled) rt.changes.publish({ kind: 'delivery', ...delivery, status: 'cancelled', attempt: null });
  return cancelled.length;
}
