/**
 * An event as an operator reads it: `GET /api/webhooks/{tracking_number}`, with its
 * deliveries and every attempt, for tests that assert what a user would see rather
 * than what the rows hold.
 */
import type { EventDetail } from '../../clients/typescript/src/types.ts';
import type { TestHookpost } from './hookpost.ts';

export async function eventByTracking(
  hookpost: Pick<TestHookpost, 'api'>,
  trackingNumber: string,
): Promise<EventDetail> {
  const response = await hookpost.api(`/api/webhooks/${trackingNumber}`);
  if (response.status !== 200)
    throw new Error(`GET /api/webhooks/${trackingNumber} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as EventDetail;
}
