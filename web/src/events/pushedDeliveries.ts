/**
 * One event's page with what was pushed since it was read laid over it: each delivery
 * becomes the newer of its fetched and pushed snapshots, a delivery made since (a resend,
 * a missed-event replay) is added in the order made, and the event's counters the newest
 * pushed summary when it has at least as many attempts. Pure, for useLiveQuery.
 */
import type {
  DeliveryTimelineFieldsFragment,
  EventDetailQuery as EventDetailData,
  EventSummaryFieldsFragment,
} from '../generated/graphql.ts';
import { newerDelivery } from './retryRules.ts';

export type PushedDelivery = DeliveryTimelineFieldsFragment & { event: EventSummaryFieldsFragment };

export function withPushedDeliveries(data: EventDetailData, pushed: PushedDelivery[]): EventDetailData {
  const event = data.event;
  if (!event) return data;
  const byId = new Map(pushed.map((delivery) => [delivery.id, delivery]));
  const known = new Set(event.deliveries.edges.map((edge) => edge.node.id));
  let summary: EventSummaryFieldsFragment | null = null;
  for (const delivery of pushed)
    if (!summary || delivery.event.attemptCount >= summary.attemptCount) summary = delivery.event;
  return {
    event: {
      ...event,
      ...(summary && summary.attemptCount >= event.attemptCount ? summary : {}),
      deliveries: {
        edges: [
          ...event.deliveries.edges.map((edge) => {
            const newer = byId.get(edge.node.id);
            if (!newer) return edge;
            const { event: _summary, ...delivery } = newer;
            return { node: newerDelivery(edge.node, delivery) };
          }),
          // Delivery ids are time-ordered: sorting them is the order they were made.
          ...[...byId.values()]
            .filter((delivery) => !known.has(delivery.id))
            .sort((a, b) => (a.id < b.id ? -1 : 1))
            .map(({ event: _summary, ...delivery }) => ({ node: delivery })),
        ],
      },
    },
  };
}
