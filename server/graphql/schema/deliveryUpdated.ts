/** Subscription.deliveryUpdated: delivery status changes and new attempts, from every process, coalesced. */
import { queryFromInfo } from '@pothos/plugin-prisma';
import { z } from 'zod';
import type { DeliveryChanged } from '../../db/changeBus.ts';
import type { Attempt as AttemptRow, Delivery as DeliveryRow } from '../../db/generated/prisma/client.ts';
import type { DeliveryStatus as DeliveryStatusValue } from '../../events/statuses.ts';
import { builder } from '../builder.ts';
import type { LiveBatch } from '../live/coalescer.ts';
import { listOf } from '../queryCost.ts';
import { LIVE_MAX_ITEMS, LIVE_WINDOW_MS } from '../live/liveFeeds.ts';
import { Attempt } from './attempt.ts';
import { Delivery, DeliveryStatus } from './delivery.ts';

/**
 * A delivery's changes within a window, merged: the latest, and the latest that made an
 * attempt. Both are the change bus's own objects, which the rows are read once for
 * (live/liveReads.ts).
 */
interface DeliveryChanges {
  latest: DeliveryChanged;
  attempted: DeliveryChanged | null;
}

interface DeliveryUpdateShape {
  status: DeliveryStatusValue;
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
      resolve: (update) => update.status,
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

const DeliveriesUpdated = builder.objectRef<LiveBatch<DeliveryChanges>>('DeliveriesUpdated').implement({
  description: `Deliveries changed since the previous payload, each once: at most ${LIVE_MAX_ITEMS}, the most recently changed; the rest are counted in \`skipped\`.`,
  fields: (t) => ({
    updates: t.field({
      type: [DeliveryUpdate],
      complexity: listOf(LIVE_MAX_ITEMS),
      description: 'The changed deliveries, least recently changed first.',
      // Two reads per batch whatever its size, once per document however many subscribers watch.
      resolve: async (batch, _args, ctx, info) => {
        const deliverySelection = queryFromInfo({ context: ctx, info, path: ['delivery'] });
        const attemptSelection = queryFromInfo({ context: ctx, info, path: ['attempt'] });
        const attempted = batch.items.flatMap((item) => (item.attempted ? [item.attempted] : []));
        const [deliveries, attempts] = await Promise.all([
          ctx.liveReads.read<DeliveryChanged, DeliveryRow>(
            batch.items.map((item) => item.latest),
            {
              what: 'delivery',
              selection: deliverySelection,
              keyOf: (change) => change.deliveryId,
              rowKeyOf: (delivery) => delivery.id,
              readRows: (changes) =>
                ctx.rt.reads.prisma.delivery.findMany({
                  ...deliverySelection,
                  where: { id: { in: changes.map((change) => change.deliveryId) } },
                }),
            },
          ),
          ctx.liveReads.read<DeliveryChanged, AttemptRow>(attempted, {
            what: 'attempt',
            selection: attemptSelection,
            keyOf: (change) => `${change.deliveryId}/${change.attempt}`,
            rowKeyOf: (attempt) => `${attempt.deliveryId}/${attempt.number}`,
            readRows: (changes) =>
              ctx.rt.reads.prisma.attempt.findMany({
                ...attemptSelection,
                where: { OR: changes.map((change) => ({ deliveryId: change.deliveryId, number: change.attempt! })) },
              }),
          }),
        ]);
        const attemptOf = new Map(attempted.map((change, i) => [change, attempts[i]]));
        return batch.items.flatMap((item, i) => {
          const delivery = deliveries[i];
          if (!delivery) return [];
          const attempt = item.attempted ? attemptOf.get(item.attempted) : undefined;
          return [
            {
              status: item.latest.status as DeliveryStatusValue,
              delivery,
              attempt: attempt ?? null,
            },
          ];
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

const mergeChanges = (waiting: DeliveryChanges, next: DeliveryChanges): DeliveryChanges => ({
  latest: next.latest,
  attempted: next.attempted ?? waiting.attempted,
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
      ctx.liveFeeds.subscribe<DeliveryChanges>(
        {
          key: `deliveryUpdated:${args.mailboxId ?? '*'}:${args.eventId ?? '*'}`,
          pick: (change) =>
            change.kind === 'delivery' &&
            (!args.mailboxId || change.mailboxId === args.mailboxId) &&
            (!args.eventId || change.eventId === args.eventId)
              ? { latest: change, attempted: change.attempt !== null ? change : null }
              : null,
          keyOf: (changes) => changes.latest.deliveryId,
          merge: mergeChanges,
        },
        { signal: ctx.shutdown, tokenId: ctx.actor?.tokenId },
      ),
    resolve: (batch) => batch,
  }),
);
