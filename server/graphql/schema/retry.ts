/** Manual retries of failed deliveries and cancelling a waiting one (events/retryDeliveries.ts, events/cancelDelivery.ts, shared with REST). */
import { cancelDelivery } from '../../events/cancelDelivery.ts';
import { retryDelivery, retryEvent, type RetryResult } from '../../events/retryDeliveries.ts';
import { builder } from '../builder.ts';

const RetryPayload = builder.objectRef<RetryResult>('RetryPayload').implement({
  description: 'What a retry re-queued: each delivery gets one manual attempt now.',
  fields: (t) => ({
    event: t.prismaField({
      type: 'Event',
      description: 'The event whose deliveries were re-queued.',
      resolve: (query, result, _args, ctx) =>
        ctx.rt.reads.prisma.event.findUniqueOrThrow({ ...query, where: { id: result.eventId } }),
    }),
    deliveries: t.prismaField({
      type: ['Delivery'],
      description: 'The deliveries re-queued (now `queued`).',
      resolve: (query, result, _args, ctx) =>
        ctx.rt.reads.prisma.delivery.findMany({
          ...query,
          where: { id: { in: result.deliveryIds } },
          orderBy: { id: 'asc' },
        }),
    }),
  }),
});

builder.mutationFields((t) => ({
  retryEvent: t.field({
    type: RetryPayload,
    description:
      "Retries an event's deliveries that ended without success (failed, or cancelled while their endpoint is active again). " +
      'Queued and in-flight ones are left alone, so nothing is sent twice; `not_retryable` when there is nothing to retry.',
    args: { trackingNumber: t.arg.id({ required: true, description: 'The tracking number.' }) },
    resolve: (_root, args, ctx) => retryEvent(ctx.rt, ctx.actor, args.trackingNumber),
  }),
  retryDelivery: t.field({
    type: RetryPayload,
    description:
      'Retries one delivery that ended without success; `not_retryable` when it is queued, in flight or delivered.',
    args: { id: t.arg.id({ required: true, description: 'The delivery id.' }) },
    resolve: (_root, args, ctx) => retryDelivery(ctx.rt, ctx.actor, args.id),
  }),
  cancelDelivery: t.prismaField({
    type: 'Delivery',
    description:
      'Cancels one delivery waiting for an attempt (queued, between retries, or held); it can be retried later. ' +
      'This is how to skip the head of an ordering key that keeps failing: the next delivery of that key goes at once. ' +
      '`conflict` when it is in flight or has ended.',
    args: { id: t.arg.id({ required: true, description: 'The delivery id.' }) },
    resolve: async (query, _root, args, ctx) => {
      const { deliveryId } = await cancelDelivery(ctx.rt, ctx.actor, args.id);
      return ctx.rt.reads.prisma.delivery.findUniqueOrThrow({ ...query, where: { id: deliveryId } });
    },
  }),
}));
