/**
 * Whether a delivery or an event can be retried now, and if not, why — in words the
 * button shows, so a disabled button is never a mystery. The server has the same rules
 * (retryDelivery / retryEvent answer `not_retryable`); these only spare a useless click.
 */
import type { DeliveryTimelineFieldsFragment } from '../generated/graphql.ts';

type DeliveryFacts = Pick<DeliveryTimelineFieldsFragment, 'status'> & {
  endpoint: Pick<DeliveryTimelineFieldsFragment['endpoint'], 'enabled' | 'deletedAt'>;
};

/** null when it can be retried; otherwise the reason it cannot. */
export function deliveryRetryBlock(delivery: DeliveryFacts): string | null {
  switch (delivery.status) {
    case 'delivered':
      return 'Already delivered: nothing to retry.';
    case 'queued':
      return 'Already queued: its next attempt is coming.';
    case 'held':
      return 'Held until its endpoint can take it (circuit open or paused); it goes out then.';
    case 'delivering':
      return 'An attempt is in flight right now.';
    case 'failed':
    case 'cancelled':
      if (delivery.endpoint.deletedAt) return 'Its endpoint was deleted.';
      if (!delivery.endpoint.enabled) return 'Its endpoint is disabled: enable it first.';
      return null;
  }
}

export function eventRetryBlock(deliveries: DeliveryFacts[]): string | null {
  if (deliveries.length === 0) return 'It has no deliveries: no endpoint accepted its type.';
  if (deliveries.some((delivery) => deliveryRetryBlock(delivery) === null)) return null;
  if (deliveries.every((delivery) => delivery.status === 'delivered'))
    return 'Every delivery was delivered: nothing to retry.';
  if (deliveries.some((delivery) => delivery.status === 'queued' || delivery.status === 'delivering'))
    return 'Its deliveries are still under way.';
  return 'None of its deliveries can be retried now (their endpoints are disabled or deleted).';
}

/** The newer of two snapshots of one delivery: more attempts, or a later change. */
export function newerDelivery<D extends Pick<DeliveryTimelineFieldsFragment, 'attemptCount' | 'updatedAt'>>(
  a: D,
  b: D,
): D {
  if (a.attemptCount !== b.attemptCount) return a.attemptCount > b.attemptCount ? a : b;
  return b.updatedAt >= a.updatedAt ? b : a;
}
