/** ApiKey: a producer's secret for `x-api-key`; a mailbox may have several (rotation). */
import { z } from 'zod';
import { createApiKey, revokeApiKey } from '../../mailboxes/mailboxService.ts';
import type { ApiKey as ApiKeyRow } from '../../db/generated/prisma/client.ts';
import { builder } from '../builder.ts';

export const ApiKey = builder.prismaObject('ApiKey', {
  description: 'A mailbox API key. Only its prefix is kept readable; the key itself is shown once, when made.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The API key id (not the key).' }),
    mailbox: t.relation('mailbox', { description: 'The mailbox it opens.' }),
    name: t.exposeString('name', { description: 'A label for people ("production", "ci").' }),
    prefix: t.exposeString('prefix', { description: 'The first characters of the key, to recognise it.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was made.' }),
    revokedAt: t.expose('revokedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it stops (or stopped) working; may be in the future during a rotation.',
    }),
    active: t.boolean({
      description: 'Whether it works now.',
      resolve: (key) => key.revokedAt === null || key.revokedAt > new Date(),
    }),
  }),
});

const CreateApiKeyPayload = builder.objectRef<{ apiKey: string; record: ApiKeyRow }>('CreateApiKeyPayload').implement({
  description: 'A new API key, shown only here.',
  fields: (t) => ({
    apiKey: t.exposeString('apiKey', { description: 'The key for `x-api-key`. Shown once: store it now.' }),
    key: t.field({
      type: ApiKey,
      description: 'The new key as listed from now on.',
      resolve: (created) => created.record,
    }),
  }),
});

builder.mutationFields((t) => ({
  createApiKey: t.field({
    type: CreateApiKeyPayload,
    description:
      'Adds a live API key to a mailbox. Rotation: make a new key, switch producers to it, then revoke the old one.',
    args: {
      mailboxId: t.arg.id({ required: true, description: 'The mailbox id.' }),
      name: t.arg.string({
        description: 'A label for people (at most 100 characters).',
        validate: z.string().trim().max(100),
      }),
    },
    resolve: (_root, args, ctx) => createApiKey(ctx.rt, ctx.actor, args.mailboxId, { name: args.name ?? undefined }),
  }),
  revokeApiKey: t.field({
    type: ApiKey,
    description: 'Revokes an API key now, or after a grace period so producers can switch over.',
    args: {
      id: t.arg.id({ required: true, description: 'The API key id.' }),
      graceSeconds: t.arg.int({
        description: 'Keep it working this many seconds more (0 to 30 days). Default 0.',
        validate: z
          .int()
          .min(0)
          .max(30 * 24 * 3600),
      }),
    },
    resolve: (_root, args, ctx) =>
      revokeApiKey(ctx.rt, ctx.actor, args.id, { graceSeconds: args.graceSeconds ?? undefined }),
  }),
}));
