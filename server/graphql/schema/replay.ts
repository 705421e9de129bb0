/**
 * Dead letters and bulk replay: failed deliveries as a list with filters, the preview of
 * a replay, starting and cancelling one, and its progress pushed live (replays/).
 */
import { queryFromInfo } from '@pothos/plugin-prisma';
import { resolveCursorConnection, type ResolveCursorConnectionArgs } from '@pothos/plugin-relay';
import { z } from 'zod';
import { deadLetterFilterSchema, findDeadLetters, type DeadLetterFilterInput } from '../../replays/deadLetters.ts';
import { cancelReplay, getReplay, listReplays, previewReplay, startReplay } from '../../replays/replayService.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../paging.ts';
import type { Replay as ReplayRow } from '../../db/generated/prisma/client.ts';
import type { LiveBatch } from '../live/coalescer.ts';
import { builder } from '../builder.ts';
import { withoutNulls } from '../withoutNulls.ts';
import { Delivery } from './delivery.ts';
import { PayloadFieldMatch } from './eventFilter.ts';
import { EventStatus } from './eventStatus.ts';

export const DeadLetterFilter = builder
  .inputType('DeadLetterFilter', {
    description:
      "Narrows the dead letters (failed deliveries); every filter given must match. The event fields narrow by the deliveries' events as `EventFilter` does, so an events view becomes a replay of its failed deliveries.",
    fields: (t) => ({
      endpointId: t.id({ description: 'Only deliveries to this endpoint.' }),
      mailboxId: t.id({ description: 'Only deliveries of events sent to this mailbox.' }),
      failedSince: t.field({ type: 'DateTime', description: 'Only deliveries that failed at or after this moment.' }),
      failedUntil: t.field({ type: 'DateTime', description: 'Only deliveries that failed before this moment.' }),
      errorKinds: t.stringList({
        description:
          "Only deliveries whose last attempt's error kind is one of these (timeout, http_status…; at most 20).",
      }),
      statusCodes: t.intList({
        description: 'Only deliveries whose last attempt got one of these HTTP statuses (at most 20).',
      }),
      eventStatuses: t.field({
        type: [EventStatus],
        description: 'Only deliveries of events with one of these statuses (as `EventFilter.status`).',
      }),
      eventTypes: t.stringList({
        description:
          'Only deliveries of events whose type matches one of these names or patterns; `*` matches any run of characters.',
      }),
      receivedSince: t.field({
        type: 'DateTime',
        description: 'Only deliveries of events accepted at or after this moment.',
      }),
      receivedUntil: t.field({
        type: 'DateTime',
        description: 'Only deliveries of events accepted before this moment.',
      }),
      trackingNumberPrefix: t.string({
        description: 'Only deliveries of events whose tracking number starts with these hexadecimal digits.',
      }),
      trackingNumbers: t.idList({ description: 'Only deliveries of these events (at most 1000).' }),
      payload: t.field({
        type: [PayloadFieldMatch],
        description:
          'Only deliveries of JSON events whose fields equal these values (all of them), as `EventFilter.payload`.',
      }),
    }),
  })
  .validate(z.preprocess(withoutNulls, deadLetterFilterSchema));

const filterOf = (filter: object | null | undefined) =>
  Object.fromEntries(Object.entries(filter ?? {}).filter(([, value]) => value !== null)) as DeadLetterFilterInput;

const ReplayStatus = builder.enumType('ReplayStatus', {
  description: 'Where a bulk replay stands.',
  values: {
    running: { description: 'Putting dead letters back in line, a batch a second.' },
    finished: { description: 'Every matching dead letter was taken.' },
    cancelled: { description: 'Stopped by an operator; what it had put back in line is delivered.' },
  },
});

builder.prismaObject('Replay', {
  description:
    'A bulk replay: the failed deliveries matching a filter (as they stood when it started) put back in line for one more attempt each, behind live traffic.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The replay id.' }),
    status: t.expose('status', { type: ReplayStatus, description: 'Where it stands.' }),
    filter: t.string({
      description: 'The filter it replays, as JSON (its `failedUntil` is at most when it started).',
      resolve: (replay) => JSON.stringify(replay.filter),
    }),
    total: t.exposeInt('total', { description: 'Dead letters that matched when it started.' }),
    processed: t.exposeInt('processed', { description: 'Dead letters taken so far.' }),
    requeued: t.exposeInt('requeued', {
      description:
        'Deliveries put back in line so far (fewer than processed when some were retried meanwhile or their endpoint is disabled).',
    }),
    createdBy: t.exposeString('createdBy', { description: 'Who started it (the access token name).' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it started.' }),
    finishedAt: t.expose('finishedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it finished or was cancelled.',
    }),
  }),
});

const cursorId = (cursor: string | null | undefined) => cursor ?? undefined;

builder.queryFields((t) => ({
  deadLetters: t.connection({
    type: Delivery,
    description: `Failed deliveries (the dead-letter queue), newest first. At most ${MAX_PAGE_SIZE} per page (default ${DEFAULT_PAGE_SIZE}).`,
    args: { filter: t.arg({ type: DeadLetterFilter, description: 'What to narrow them to.' }) },
    resolve: (_root, args, ctx, info) =>
      resolveCursorConnection(
        { args, toCursor: (delivery) => delivery.id, defaultSize: DEFAULT_PAGE_SIZE, maxSize: MAX_PAGE_SIZE },
        ({ before, after, limit, inverted }: ResolveCursorConnectionArgs) =>
          findDeadLetters(
            ctx.rt,
            ctx.actor,
            filterOf(args.filter),
            { before: cursorId(before), after: cursorId(after), limit, inverted },
            queryFromInfo({ context: ctx, info, path: ['edges', 'node'] }),
          ),
      ),
  }),
  replayPreview: t.int({
    description: 'How many dead letters a replay with this filter would take now. Needs the operator role.',
    authScopes: { role: 'operator' },
    args: { filter: t.arg({ type: DeadLetterFilter, description: 'The dead letters to replay.' }) },
    resolve: (_root, args, ctx) => previewReplay(ctx.rt, ctx.actor, filterOf(args.filter)),
  }),
  replay: t.prismaField({
    type: 'Replay',
    nullable: true,
    description: 'One bulk replay; null when there is none with this id.',
    args: { id: t.arg.id({ required: true, description: 'The replay id.' }) },
    resolve: (_query, _root, args, ctx) => getReplay(ctx.rt, ctx.actor, args.id),
  }),
  replays: t.prismaField({
    type: ['Replay'],
    description: 'The latest bulk replays, newest first (at most 100).',
    args: {
      first: t.arg.int({
        defaultValue: 20,
        description: 'How many (1 to 100).',
        validate: z.int().min(1).max(MAX_PAGE_SIZE),
      }),
    },
    resolve: (_query, _root, args, ctx) => listReplays(ctx.rt, ctx.actor, { limit: args.first ?? 20 }),
  }),
}));

builder.mutationFields((t) => ({
  startReplay: t.prismaField({
    type: 'Replay',
    description:
      'Starts a bulk replay of the dead letters matching the filter: each goes back in line for one `replay` attempt, a batch a second (HOOKPOST_REPLAY_PER_SECOND), behind live traffic. Safe to run twice: a delivery no longer failed is not taken. At most 5 run at once.',
    args: {
      filter: t.arg({ type: DeadLetterFilter, description: 'The dead letters to replay (all of them when omitted).' }),
    },
    resolve: (_query, _root, args, ctx) => startReplay(ctx.rt, ctx.actor, filterOf(args.filter)),
  }),
  cancelReplay: t.prismaField({
    type: 'Replay',
    description: 'Stops a running replay; what it already put back in line is still delivered.',
    args: { id: t.arg.id({ required: true, description: 'The replay id.' }) },
    resolve: (_query, _root, args, ctx) => cancelReplay(ctx.rt, ctx.actor, args.id),
  }),
}));

const ReplaysUpdated = builder.objectRef<LiveBatch<{ replayId: string }>>('ReplaysUpdated').implement({
  description: 'Bulk replays whose progress or status changed since the previous payload.',
  fields: (t) => ({
    replays: t.prismaField({
      type: ['Replay'],
      description: 'The replays as they are now.',
      // Read once per change and document, however many subscribers watch (live/liveReads.ts).
      resolve: async (query, batch, _args, ctx) => {
        const replays = await ctx.liveReads.read<{ replayId: string }, ReplayRow>(batch.items, {
          what: 'replay',
          selection: query,
          keyOf: (change) => change.replayId,
          rowKeyOf: (replay) => replay.id,
          readRows: (changes) =>
            ctx.rt.reads.prisma.replay.findMany({
              ...query,
              where: { id: { in: changes.map((change) => change.replayId) } },
            }),
        });
        return replays.filter((replay): replay is ReplayRow => replay !== undefined);
      },
    }),
    skipped: t.exposeInt('skipped', { description: 'Replays changed that are not in `replays`: refetch.' }),
    resync: t.exposeBoolean('resync', { description: 'Changes may have been missed: refetch.' }),
  }),
});

builder.subscriptionField('replayUpdated', (t) =>
  t.field({
    type: ReplaysUpdated,
    description: 'Pushes the progress of bulk replays (every batch, and when one finishes or is cancelled).',
    args: { id: t.arg.id({ description: 'Only this replay.', validate: z.uuid('must be a replay id (a UUID)') }) },
    subscribe: (_root, args, ctx) =>
      ctx.liveFeeds.subscribe<{ replayId: string }>(
        {
          key: `replayUpdated:${args.id ?? '*'}`,
          pick: (change) => (change.kind === 'replay' && (!args.id || change.replayId === args.id) ? change : null),
          keyOf: (change) => change.replayId,
        },
        { signal: ctx.shutdown, tokenId: ctx.actor?.tokenId },
      ),
    resolve: (batch) => batch,
  }),
);
