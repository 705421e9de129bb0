/** Subscription.eventReceived: new events, from every API process, coalesced. */
import { z } from 'zod';
import type { EventReceived } from '../../db/changeBus.ts';
import type { Event as EventRow } from '../../db/generated/prisma/client.ts';
import { builder } from '../builder.ts';
import type { LiveBatch } from '../live/coalescer.ts';
import { listOf } from '../queryCost.ts';
import { LIVE_MAX_ITEMS, LIVE_WINDOW_MS } from '../live/liveFeeds.ts';

const EventsReceived = builder.objectRef<LiveBatch<EventReceived>>('EventsReceived').implement({
  description: `Events accepted since the previous payload: at most ${LIVE_MAX_ITEMS}, the newest; older ones of a burst are counted in \`skipped\`.`,
  fields: (t) => ({
    events: t.prismaField({
      type: ['Event'],
      complexity: listOf(LIVE_MAX_ITEMS),
      description: 'The new events, oldest first.',
      // Read once per event and document, however many subscribers watch (live/liveReads.ts).
      resolve: async (query, batch, _args, ctx) => {
        const events = await ctx.liveReads.read<EventReceived, EventRow>(batch.items, {
          what: 'event',
          selection: query,
          keyOf: (change) => change.eventId,
          rowKeyOf: (event) => event.id,
          readRows: (changes) =>
            ctx.rt.reads.prisma.event.findMany({
              ...query,
              where: { id: { in: changes.map((change) => change.eventId) } },
            }),
        });
        // Oldest first: event ids are time-ordered.
        return events
          .filter((event): event is EventRow => event !== undefined)
          .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      },
    }),
    skipped: t.exposeInt('skipped', {
      description:
        'Events accepted since the previous payload that are not in `events` (a burst larger than a payload): refetch the list to see them.',
    }),
    resync: t.exposeBoolean('resync', {
      description:
        'Events may have been missed (the server re-established its database notification connection): refetch the list.',
    }),
  }),
});

builder.subscriptionField('eventReceived', (t) =>
  t.field({
    type: EventsReceived,
    description:
      `Pushes events as they are accepted, by any API process. Coalesced: a payload at most every ${LIVE_WINDOW_MS} ms, ` +
      `with at most ${LIVE_MAX_ITEMS} events (the newest; \`skipped\` counts the rest), and never faster than the client reads.`,
    args: {
      mailboxId: t.arg.id({
        description: 'Only events sent to this mailbox.',
        validate: z.uuid('must be a mailbox id (a UUID)'),
      }),
    },
    subscribe: (_root, args, ctx) =>
      ctx.liveFeeds.subscribe<EventReceived>(
        {
          key: `eventReceived:${args.mailboxId ?? '*'}`,
          pick: (change) =>
            change.kind === 'event' && (!args.mailboxId || change.mailboxId === args.mailboxId) ? change : null,
          keyOf: (change) => change.eventId,
        },
        { signal: ctx.shutdown, tokenId: ctx.actor?.tokenId },
      ),
    resolve: (batch) => batch,
  }),
);
