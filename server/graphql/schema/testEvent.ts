/** sendTestEvent: proves the path to one endpoint's receiver (events/sendTestEvent.ts). */
import { sendTestEvent, testEventSchema, type SentTestEvent } from '../../events/sendTestEvent.ts';
import { builder } from '../builder.ts';

const SendTestEventPayload = builder.objectRef<SentTestEvent>('SendTestEventPayload').implement({
  description: 'The test event and its one delivery; watch it with `deliveryUpdated(eventId)`.',
  fields: (t) => ({
    event: t.prismaField({
      type: 'Event',
      description: "The test event, stored in the endpoint's mailbox like any event.",
      resolve: (query, sent, _args, ctx) =>
        ctx.rt.reads.prisma.event.findUniqueOrThrow({ ...query, where: { id: sent.eventId } }),
    }),
    delivery: t.prismaField({
      type: 'Delivery',
      description: 'Its delivery to the endpoint: one `test` attempt, no retries.',
      resolve: (query, sent, _args, ctx) =>
        ctx.rt.reads.prisma.delivery.findUniqueOrThrow({ ...query, where: { id: sent.deliveryId } }),
    }),
  }),
});

builder.mutationField('sendTestEvent', (t) =>
  t.field({
    type: SendTestEventPayload,
    description:
      'Sends a signed test event to one endpoint, whatever its event-type filter. The endpoint must be enabled.',
    args: {
      endpointId: t.arg.id({ required: true, description: 'The endpoint id.' }),
      eventType: t.arg.string({
        description: 'The event type. Default `hookpost.test`.',
        validate: testEventSchema.shape.eventType,
      }),
      body: t.arg.string({
        description: 'A JSON body as text. Default: a small sample naming the event type and endpoint.',
        validate: testEventSchema.shape.body,
      }),
      idempotencyKey: t.arg.string({
        description:
          'Makes sending again safe: within HOOKPOST_IDEMPOTENCY_WINDOW_HOURS, the same key with the same endpoint, type and body returns the first test event instead of sending another; with others it is refused (`idempotency_key_reused`). 1 to 255 printable ASCII characters.',
      }),
      orderingKey: t.arg.string({
        description:
          'Its ordering key, as `x-ordering-key` gives one: an endpoint ordered by key sends it in line with the events of that key. 1 to 255 printable ASCII characters (`invalid_ordering_key`).',
      }),
    },
    resolve: (_root, args, ctx) =>
      sendTestEvent(ctx.rt, ctx.actor, args.endpointId, {
        eventType: args.eventType ?? undefined,
        body: args.body ?? undefined,
        idempotencyKey: args.idempotencyKey ?? undefined,
        orderingKey: args.orderingKey ?? undefined,
      }),
  }),
);
