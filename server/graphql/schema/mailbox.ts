/** Mailbox: an integration that producers send events to, with its queries and mutations. */
import { z } from 'zod';
import { createMailbox, deleteMailbox, updateMailbox, type CreatedMailbox } from '../../mailboxes/mailboxService.ts';
import { getMailbox, listMailboxes } from '../../mailboxes/mailboxQueries.ts';
import { systemMailboxId } from '../../alerts/systemMailbox.ts';
import { mailboxRetentionDaysSchema } from '../../retention/retentionRules.ts';
import { builder } from '../builder.ts';
import { Endpoint } from './endpoint.ts';
import { endpointUrlSchema, eventTypesSchema } from './endpointInput.ts';

export const Mailbox = builder.prismaObject('Mailbox', {
  description: 'An integration: a producer that sends events with one of its API keys. Owns endpoints.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The mailbox id (a UUID); events are sent to `POST /webhooks/{id}`.' }),
    name: t.exposeString('name', { description: 'A name for people.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the mailbox was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When the mailbox was last changed.' }),
    system: t.exposeBoolean('system', {
      description:
        "Whether this is the system mailbox, which carries Hookpost's own operational events (`endpoint.circuit_opened`, `delivery.exhausted`…): add endpoints to it to receive them.",
    }),
    deletedAt: t.expose('deletedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the mailbox was deleted; its history stays readable.',
    }),
    retentionDays: t.exposeInt('retentionDays', {
      nullable: true,
      description:
        'How long its settled events are kept, in days; 0: forever; null: the instance default (HOOKPOST_RETENTION_DAYS).',
    }),
    apiKeys: t.relatedConnection('apiKeys', {
      description: 'Its API keys, oldest first (only prefixes; a key is shown once, when made).',
      cursor: 'id',
      totalCount: true,
      query: { orderBy: { id: 'asc' } },
    }),
    endpoints: t.relatedConnection('endpoints', {
      description: 'Its endpoints, oldest first.',
      cursor: 'id',
      totalCount: true,
      args: { includeDeleted: t.arg.boolean({ defaultValue: false, description: 'Also list deleted endpoints.' }) },
      query: (args) => ({ where: args.includeDeleted ? {} : { deletedAt: null }, orderBy: { id: 'asc' } }),
    }),
    // A query of its own per mailbox, with a LIMIT (see Endpoint.deliveries).
    events: t.prismaConnection({
      type: 'Event',
      cursor: 'id',
      description: 'Its events, newest first. For filters use `Query.events(filter: {mailboxId})`.',
      resolve: (query, mailbox, _args, ctx) =>
        ctx.rt.reads.prisma.event.findMany({ ...query, where: { mailboxId: mailbox.id }, orderBy: { id: 'desc' } }),
    }),
  }),
});

builder.queryFields((t) => ({
  mailboxes: t.prismaConnection({
    type: 'Mailbox',
    cursor: 'id',
    description: 'Mailboxes, newest first.',
    args: { includeDeleted: t.arg.boolean({ defaultValue: false, description: 'Also list deleted mailboxes.' }) },
    resolve: (query, _root, args, ctx) =>
      listMailboxes(ctx.rt, ctx.actor, { includeDeleted: args.includeDeleted ?? false }, query),
  }),
  systemMailbox: t.prismaField({
    type: 'Mailbox',
    description:
      "The system mailbox: Hookpost's own operational events (`endpoint.circuit_opened`, `endpoint.circuit_closed`, `endpoint.disabled`, `endpoint.enabled`, `delivery.exhausted`, `replay.finished`). Add endpoints to it to receive them as signed webhooks; subscribe with `eventReceived(mailboxId:)`.",
    resolve: async (query, _root, _args, ctx) =>
      ctx.rt.prisma.mailbox.findUniqueOrThrow({ ...query, where: { id: await systemMailboxId(ctx.rt.pool) } }),
  }),
  mailbox: t.prismaField({
    type: 'Mailbox',
    nullable: true,
    description: 'One mailbox, deleted ones included (see `deletedAt`); null when there is none with this id.',
    args: { id: t.arg.id({ required: true, description: 'The mailbox id.' }) },
    resolve: (query, _root, args, ctx) => getMailbox(ctx.rt, ctx.actor, args.id, query),
  }),
}));

const CreateMailboxInput = builder.inputType('CreateMailboxInput', {
  description:
    'A new mailbox. `targetUrl`, when given, becomes its first endpoint (default retry policy: 3 attempts, +2 s, +4 s).',
  fields: (t) => ({
    name: t.string({
      required: true,
      description: 'A name for people (1 to 200 characters).',
      validate: z.string().trim().min(1, 'must not be empty').max(200),
    }),
    targetUrl: t.string({ description: 'http(s) URL of the first endpoint.', validate: endpointUrlSchema }),
    eventTypes: t.stringList({
      description: "The first endpoint's event-type filter: names or patterns with `*`; empty means every event.",
      validate: eventTypesSchema,
    }),
    retentionDays: t.int({
      description: 'How long its settled events are kept, in days; 0: forever; null or absent: the instance default.',
      validate: mailboxRetentionDaysSchema,
    }),
  }),
});

const CreateMailboxPayload = builder.objectRef<CreatedMailbox>('CreateMailboxPayload').implement({
  description: 'A new mailbox with its API key, shown only here.',
  fields: (t) => ({
    mailbox: t.field({ type: Mailbox, description: 'The new mailbox.', resolve: (created) => created.mailbox }),
    apiKey: t.exposeString('apiKey', { description: 'The API key for `x-api-key`. Shown once: store it now.' }),
    endpoint: t.field({
      type: Endpoint,
      nullable: true,
      description: 'The first endpoint, made from `targetUrl`.',
      resolve: (created) => created.endpoint,
    }),
    signingSecret: t.exposeString('signingSecret', {
      nullable: true,
      description: "The first endpoint's `whsec_` signing secret, shown once (null without `targetUrl`).",
    }),
  }),
});

builder.mutationFields((t) => ({
  createMailbox: t.field({
    type: CreateMailboxPayload,
    description: 'Creates a mailbox with an API key (returned once) and, with `targetUrl`, its first endpoint.',
    args: { input: t.arg({ type: CreateMailboxInput, required: true, description: 'The new mailbox.' }) },
    resolve: (_root, { input }, ctx) => {
      return createMailbox(ctx.rt, ctx.actor, {
        name: input.name,
        targetUrl: input.targetUrl,
        endpoint: { eventTypes: input.eventTypes ?? undefined },
        retentionDays: input.retentionDays,
      });
    },
  }),
  updateMailbox: t.field({
    type: Mailbox,
    description: 'Renames a mailbox, or changes how long its events are kept.',
    args: {
      id: t.arg.id({ required: true, description: 'The mailbox id.' }),
      name: t.arg.string({
        description: 'The new name (1 to 200 characters); absent: unchanged.',
        validate: z.string().trim().min(1, 'must not be empty').max(200),
      }),
      retentionDays: t.arg.int({
        description:
          'How long its settled events are kept, in days; 0: forever; null: the instance default; absent: unchanged.',
        validate: mailboxRetentionDaysSchema,
      }),
    },
    resolve: (_root, args, ctx) =>
      updateMailbox(ctx.rt, ctx.actor, args.id, { name: args.name ?? undefined, retentionDays: args.retentionDays }),
  }),
  deleteMailbox: t.field({
    type: Mailbox,
    description:
      'Deletes a mailbox: its keys stop working and its endpoints stop receiving at once; waiting deliveries are cancelled. History stays readable.',
    args: { id: t.arg.id({ required: true, description: 'The mailbox id.' }) },
    resolve: (_root, args, ctx) => deleteMailbox(ctx.rt, ctx.actor, args.id),
  }),
}));
