/** Subscription.deliveryUpdated: delivery status changes and new attempts, from every process, coalesced. */
import { queryFromInfo } from '@pothos/plugin-prisma';
import { z } from 'zod';
import type { DeliveryChanged } from '../../db/changeBus.ts';
import type { Attempt as AttemptRow, Delivery as DeliveryRow } from '../../db/generated/prisma/client.ts';
import type { DeliveryStatus as DeliveryStatusValue } from '../../events/statuses.ts';
import { builder } from '../builder.ts';
import type { LiveBatch } from '../live/coalescer.ts';
import { listOf } from '../queryCost.ts';
import { LIVE_MAX_ITEMS, LIVE_WINDOW_MS, liveFeed } from '../live/liveFeed.ts';
import { Attempt } from './attempt.ts';
import { Delivery, DeliveryStatus } from './delivery.ts';

interface DeliveryUpdateShape {
  change: DeliveryChanged;
  delivery: DeliveryRow;
  attempt: AttemptRow | null;
}

const DeliveryUpdate = builder.objectRef<DeliveryUpdateShape>('DeliveryUpdate').implement({
  description: 'A delivery that changed: its status after the change and the newest attempt that caused one.',
  fields: (t) => ({
    delivery: t.field({
      type: Delivery,
      description: 'The delivery as it is now.',
      resolve: (update) => update.delivery,
    }),
    status: t.field({
      type: DeliveryStatus,
      description: 'The status the change moved it to (the latest, when several changes were merged).',
      resolve: (update) => update.change.status as DeliveryStatusValue,
    }),
    attempt: t.field({
      type: Attempt,
      nullable: true,
      description:
        'The newest attempt among the merged changes; null when none made one (queued for a retry, claimed, cancelled). Earlier ones are in `delivery.attempts`.',
      resolve: (update) => update.attempt,
    }),
  }),
});

const DeliveriesUpdated = builder.objectRef<LiveBatch<DeliveryChanged>>('DeliveriesUpdated').implement({
  description: `Deliveries changed since the previous payload, each once: at most ${LIVE_MAX_ITEMS}, the most recently changed; the rest are counted in \`skipped\`.`,
  fields: (t) => ({
    updates: t.field({
      type: [DeliveryUpdate],
      complexity: listOf(LIVE_MAX_ITEMS),
      description: 'The changed deliveries, least recently changed first.',
      // Two queries per payload whatever its size: the deliveries, then the attempts.
      resolve: async (batch, _args, ctx, info) => {
        if (batch.items.length === 0) return [];
        const withAttempt = batch.items.filter((item) => item.attempt !== null);
        const [deliveries, attempts] = await Promise.all([
          ctx.rt.reads.prisma.delivery.findMany({
            ...queryFromInfo({ context: ctx, info, path: ['delivery'] }),
            where: { id: { in: batch.items.map((item) => item.deliveryId) } },
          }),
          withAttempt.length === 0
            ? []
            : ctx.rt.reads.prisma.attempt.findMany({
                ...queryFromInfo({ context: ctx, info, path: ['attempt'] }),
                where: { OR: withAttempt.map((item) => ({ deliveryId: item.deliveryId, number: item.attempt! })) },
              }),
        ]);
        const deliveryById = new Map(deliveries.map((delivery) => [delivery.id, delivery as DeliveryRow]));
        const attemptByKey = new Map(
          attempts.map((attempt) => [`${attempt.deliveryId}/${attempt.number}`, attempt as AttemptRow]),
        );
        return batch.items.flatMap((change) => {
          const delivery = deliveryById.get(change.deliveryId);
          return delivery
            ? [{ change, delivery, attempt: attemptByKey.get(`${change.deliveryId}/${change.attempt}`) ?? null }]
            : [];
        });
      },
    }),
    skipped: t.exposeInt('skipped', {
      description:
        'Deliveries changed since the previous payload that are not in `updates` (a burst larger than a payload): refetch what you show.',
    }),
    resync: t.exposeBoolean('resync', {
      description:
        'Changes may have been missed (the server re-established its database notification connection): refetch what you show.',
    }),
  }),
});

const mergeChanges = (waiting: DeliveryChanged, next: DeliveryChanged): DeliveryChanged => ({
  ...next,
  attempt: next.attempt ?? waiting.attempt,
});

builder.subscriptionField('deliveryUpdated', (t) =>
  t.field({
    type: DeliveriesUpdated,
    description:
      'Pushes each delivery status change and each new attempt, made by any worker process. Coalesced: a payload at most every ' +
      `${LIVE_WINDOW_MS} ms; several changes of one delivery in that time become one update with its latest status and newest attempt; ` +
      `at most ${LIVE_MAX_ITEMS} updates per payload (the most recent; \`skipped\` counts the rest); never faster than the client reads.`,
    args: {
      mailboxId: t.arg.id({
        description: 'Only deliveries of events sent to this mailbox.',
        validate: z.uuid('must be a mailbox id (a UUID)'),
      }),
      eventId: t.arg.id({
        description: 'Only deliveries of this event (tracking number).',
        validate: z.uuid('must be a tracking number (a UUID)'),
      }),
    },
    subscribe: (_root, args, ctx) =>
      liveFeed<DeliveryChanged>(ctx.rt.changes, {
        pick: (change) =>
          change.kind === 'delivery' &&
          (!args.mailboxId || change.mailboxId === args.mailboxId) &&
          (!args.eventId || change.eventId === args.eventId)
            ? [change.deliveryId, change]
            : null,
        merge: mergeChanges,
        signal: ctx.shutdown,
        tokenId: ctx.actor?.tokenId,
        onEnd: ctx.liveQuota.take(ctx.actor?.tokenId ?? 'anonymous'),
      }),
    resolve: (batch) => batch,
  }),
);
