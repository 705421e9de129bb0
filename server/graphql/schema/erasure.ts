/**
 * Bulk erasure: the preview count of a mailbox's events matching a filter, starting and
 * cancelling an erasure, and its progress pushed live (erasures/). Admins only, reads
 * too: an erasure's filter names the data subject.
 */
import { z } from 'zod';
import type { Erasure as ErasureRow } from '../../db/generated/prisma/client.ts';
import { erasureFilterSchema, type ErasureFilterInput } from '../../erasures/erasureFilter.ts';
import {
  cancelErasure,
  getErasure,
  listErasures,
  previewErasure,
  startErasure,
} from '../../erasures/erasureService.ts';
import { MAX_PAGE_SIZE } from '../../paging.ts';
import type { LiveBatch } from '../live/coalescer.ts';
import { builder } from '../builder.ts';
import { withoutNulls } from '../withoutNulls.ts';
import { PayloadFieldMatch } from './eventFilter.ts';
import { EventStatus } from './eventStatus.ts';

export const ErasureFilter = builder
  .inputType('ErasureFilter', {
    description:
      "Which of a mailbox's events a bulk erasure takes: the filters of `EventFilter` (every one given must match), without the mailbox, which is the erasure's own.",
    fields: (t) => ({
      status: t.field({ type: [EventStatus], description: 'Only events with one of these statuses.' }),
      eventTypes: t.stringList({
        description:
          'Only events whose type matches one of these names or patterns; `*` matches any run of characters.',
      }),
      receivedSince: t.field({ type: 'DateTime', description: 'Only events accepted at or after this moment.' }),
      receivedUntil: t.field({
        type: 'DateTime',
        description: 'Only events accepted before this moment (an erasure also stops at when it started).',
      }),
      payload: t.field({
        type: [PayloadFieldMatch],
        description: 'Only JSON events whose fields equal these values (all of them), as `EventFilter.payload`.',
      }),
      endpointId: t.id({ description: 'Only events with a delivery to this endpoint.' }),
      deliveryStatusCode: t.int({
        description: 'Only events with a delivery whose latest attempt got this HTTP status.',
      }),
      deliveryErrorKind: t.string({
        description: 'Only events with a delivery whose latest attempt failed this way (timeout, http_status…).',
      }),
      trackingNumberPrefix: t.string({
        description: 'Only events whose tracking number starts with these hexadecimal digits.',
      }),
    }),
  })
  .validate(z.preprocess(withoutNulls, erasureFilterSchema));

const filterOf = (filter: object | null | undefined) =>
  Object.fromEntries(Object.entries(filter ?? {}).filter(([, value]) => value != null)) as ErasureFilterInput;

const ErasureStatus = builder.enumType('ErasureStatus', {
  description: 'Where a bulk erasure stands.',
  values: {
    running: { description: 'Erasing matching events, a batch at a time.' },
    finished: { description: 'Every matching event was erased.' },
    cancelled: { description: 'Stopped by an admin; what it had erased stays erased.' },
  },
});

builder.prismaObject('Erasure', {
  description:
    "A bulk erasure: every event of a mailbox matching a filter, as received before it started, erased by `eraseEvent`'s rule (body, captured responses and idempotency key gone, waiting and failed deliveries cancelled, a tombstone kept).",
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The erasure id.' }),
    mailboxId: t.exposeID('mailboxId', { description: 'The mailbox whose events it erases.' }),
    status: t.expose('status', { type: ErasureStatus, description: 'Where it stands.' }),
    filter: t.string({
      description: 'The filter it erases by, as JSON (its `receivedUntil` at most when it started).',
      resolve: (erasure) => JSON.stringify(erasure.filter),
    }),
    matched: t.exposeInt('matched', { description: 'Events that matched when it started.' }),
    erased: t.exposeInt('erased', {
      description:
        'Events erased so far (at the end, fewer than matched when some stopped matching or were erased meanwhile).',
    }),
    inFlight: t.exposeInt('inFlight', {
      description:
        'Events passed over in this pass because an attempt of theirs was in flight; taken again once it ends.',
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

builder.queryFields((t) => ({
  erasurePreview: t.int({
    description: "How many of the mailbox's events an erasure with this filter would erase now. Needs the admin role.",
    authScopes: { role: 'admin' },
    args: {
      mailboxId: t.arg.id({ required: true, description: 'The mailbox.' }),
      filter: t.arg({ type: ErasureFilter, description: 'Which of its events.' }),
    },
    resolve: (_root, args, ctx) => previewErasure(ctx.rt, ctx.actor, args.mailboxId, filterOf(args.filter)),
  }),
  erasure: t.prismaField({
    type: 'Erasure',
    nullable: true,
    description: 'One bulk erasure; null when there is none with this id. Needs the admin role.',
    authScopes: { role: 'admin' },
    args: { id: t.arg.id({ required: true, description: 'The erasure id.' }) },
    resolve: (_query, _root, args, ctx) => getErasure(ctx.rt, ctx.actor, args.id),
  }),
  erasures: t.prismaField({
    type: ['Erasure'],
    description: 'The latest bulk erasures, newest first (at most 100), of one mailbox or all. Needs the admin role.',
    authScopes: { role: 'admin' },
    args: {
      mailboxId: t.arg.id({ description: 'Only this mailbox’s.' }),
      first: t.arg.int({
        defaultValue: 20,
        description: 'How many (1 to 100).',
        validate: z.int().min(1).max(MAX_PAGE_SIZE),
      }),
    },
    resolve: (_query, _root, args, ctx) =>
      listErasures(ctx.rt, ctx.actor, { mailboxId: args.mailboxId ?? undefined, limit: args.first ?? 20 }),
  }),
}));

builder.mutationFields((t) => ({
  startErasure: t.prismaField({
    type: 'Erasure',
    description:
      "Starts erasing every event of the mailbox matching the filter and received before now, in the background, by `eraseEvent`'s rule; an event with an attempt in flight is taken once it ends. A filter with no condition is refused unless `everything` is true; `expectedCount` refuses to start (`conflict`) when more match than confirmed. Admins only; at most 5 run at once. Cannot be undone.",
    authScopes: { role: 'admin' },
    args: {
      mailboxId: t.arg.id({ required: true, description: 'The mailbox.' }),
      filter: t.arg({ type: ErasureFilter, description: 'Which of its events (at least one condition).' }),
      everything: t.arg.boolean({
        description: 'Confirms a filter that matches every event of the mailbox.',
        defaultValue: false,
      }),
      expectedCount: t.arg.int({
        description: 'The count confirmed (from `erasurePreview`): more matching now refuses to start.',
      }),
    },
    resolve: (_query, _root, args, ctx) =>
      startErasure(ctx.rt, ctx.actor, args.mailboxId, {
        filter: filterOf(args.filter),
        everything: args.everything ?? false,
        expectedCount: args.expectedCount ?? undefined,
      }),
  }),
  cancelErasure: t.prismaField({
    type: 'Erasure',
    description: 'Stops a running erasure; what it already erased stays erased.',
    authScopes: { role: 'admin' },
    args: { id: t.arg.id({ required: true, description: 'The erasure id.' }) },
    resolve: (_query, _root, args, ctx) => cancelErasure(ctx.rt, ctx.actor, args.id),
  }),
}));

const ErasuresUpdated = builder.objectRef<LiveBatch<{ erasureId: string }>>('ErasuresUpdated').implement({
  description: 'Bulk erasures whose progress or status changed since the previous payload.',
  fields: (t) => ({
    erasures: t.prismaField({
      type: ['Erasure'],
      description: 'The erasures as they are now.',
      // Read once per change and document, however many subscribers watch (live/liveReads.ts).
      resolve: async (query, batch, _args, ctx) => {
        const erasures = await ctx.liveReads.read<{ erasureId: string }, ErasureRow>(batch.items, {
          what: 'erasure',
          selection: query,
          keyOf: (change) => change.erasureId,
          rowKeyOf: (erasure) => erasure.id,
          readRows: (changes) =>
            ctx.rt.reads.prisma.erasure.findMany({
              ...query,
              where: { id: { in: changes.map((change) => change.erasureId) } },
            }),
        });
        return erasures.filter((erasure): erasure is ErasureRow => erasure !== undefined);
      },
    }),
    skipped: t.exposeInt('skipped', { description: 'Erasures changed that are not in `erasures`: refetch.' }),
    resync: t.exposeBoolean('resync', { description: 'Changes may have been missed: refetch.' }),
  }),
});

builder.subscriptionField('erasureUpdated', (t) =>
  t.field({
    type: ErasuresUpdated,
    description:
      'Pushes the progress of bulk erasures (every batch, and when one finishes or is cancelled). Admins only.',
    authScopes: { role: 'admin' },
    args: { id: t.arg.id({ description: 'Only this erasure.', validate: z.uuid('must be an erasure id (a UUID)') }) },
    subscribe: (_root, args, ctx) =>
      ctx.liveFeeds.subscribe<{ erasureId: string }>(
        {
          key: `erasureUpdated:${args.id ?? '*'}`,
          pick: (change) => (change.kind === 'erasure' && (!args.id || change.erasureId === args.id) ? change : null),
          keyOf: (change) => change.erasureId,
        },
        { signal: ctx.shutdown, tokenId: ctx.actor?.tokenId },
      ),
    resolve: (batch) => batch,
  }),
);
