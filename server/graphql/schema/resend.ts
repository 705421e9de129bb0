/** Resending one event to one chosen endpoint (deliveries/resend.ts, shared with REST). */
import { resendEvent } from '../../deliveries/resend.ts';
import { builder } from '../builder.ts';

builder.mutationFields((t) => ({
  resendEvent: t.prismaField({
    type: 'Delivery',
    description:
      "Sends an event again to one endpoint of its mailbox, whatever the endpoint's event-type filter: a new delivery with one manual attempt (its own `webhook-id`). " +
      '`conflict` when the event was erased, the endpoint is disabled, or a delivery of the event to it is still on its way; `validation_failed` for an endpoint of another mailbox. Needs the operator role.',
    authScopes: { role: 'operator' },
    args: {
      trackingNumber: t.arg.id({ required: true, description: 'The tracking number of the event.' }),
      endpointId: t.arg.id({ required: true, description: 'The endpoint to send it to.' }),
    },
    resolve: async (query, _root, args, ctx) => {
      const delivery = await resendEvent(ctx.rt, ctx.actor, args);
      return ctx.rt.prisma.delivery.findUniqueOrThrow({ ...query, where: { id: delivery.deliveryId } });
    },
  }),
}));
