/** AccessToken: how operators and tools authenticate; managing them needs the admin role. */
import { z } from 'zod';
import { createAccessToken, revokeAccessToken } from '../../auth/accessTokens.ts';
import type { operatorRoles } from '../../auth/roles.ts';
import type { AccessToken as AccessTokenRow } from '../../db/generated/prisma/client.ts';
import { builder } from '../builder.ts';

export const OperatorRole = builder.enumType('OperatorRole', {
  description: 'What an operator may do; each role includes the ones below it.',
  values: {
    admin: { description: 'Everything, including access tokens.' },
    operator: { description: 'Manage mailboxes, endpoints and retries.' },
    viewer: { description: 'Read only.' },
  } satisfies Record<(typeof operatorRoles)[number], { description: string }>,
});

export const AccessToken = builder.prismaObject('AccessToken', {
  description: 'A bearer token for the management API, GraphQL and the dashboard. Only its prefix is kept readable.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The token id (not the token).' }),
    name: t.exposeString('name', { description: 'Who or what uses it.' }),
    role: t.expose('role', { type: OperatorRole, description: 'What it may do.' }),
    prefix: t.exposeString('prefix', { description: 'The first characters of the token, to recognise it.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was made.' }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true, description: 'When it was last used.' }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true, description: 'When it was revoked.' }),
    expiresAt: t.expose('expiresAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it stops working by itself; null: never.',
    }),
    createdByName: t.exposeString('createdByName', {
      nullable: true,
      description: 'The name of the access token it was made with, at the time; null: made at start-up.',
    }),
  }),
});

const CreateAccessTokenPayload = builder
  .objectRef<{ token: string; record: AccessTokenRow }>('CreateAccessTokenPayload')
  .implement({
    description: 'A new access token, shown only here.',
    fields: (t) => ({
      token: t.exposeString('token', {
        description: 'The token for `Authorization: Bearer`. Shown once: store it now.',
      }),
      accessToken: t.field({
        type: AccessToken,
        description: 'The new token as listed from now on.',
        resolve: (created) => created.record,
      }),
    }),
  });

builder.queryField('accessTokens', (t) =>
  t.prismaConnection({
    type: 'AccessToken',
    cursor: 'id',
    description: 'Access tokens, oldest first. Needs the admin role.',
    authScopes: { role: 'admin' },
    args: { includeRevoked: t.arg.boolean({ defaultValue: false, description: 'Also list revoked tokens.' }) },
    resolve: (query, _root, args, ctx) =>
      ctx.rt.reads.prisma.accessToken.findMany({
        ...query,
        where: args.includeRevoked ? {} : { revokedAt: null },
        orderBy: { id: 'asc' },
      }),
  }),
);

builder.mutationFields((t) => ({
  createAccessToken: t.field({
    type: CreateAccessTokenPayload,
    description: 'Makes an access token with a role. Needs the admin role.',
    authScopes: { role: 'admin' },
    args: {
      name: t.arg.string({
        required: true,
        description: 'Who or what will use it (1 to 100 characters).',
        validate: z.string().trim().min(1, 'must not be empty').max(100),
      }),
      role: t.arg({ type: OperatorRole, required: true, description: 'What it may do.' }),
      expiresAt: t.arg({
        type: 'DateTime',
        description: 'When it stops working by itself (in the future); default: never.',
      }),
    },
    resolve: (_root, args, ctx) =>
      createAccessToken(ctx.rt, ctx.actor, { name: args.name, role: args.role, expiresAt: args.expiresAt }),
  }),
  revokeAccessToken: t.field({
    type: AccessToken,
    description:
      'Revokes an access token at once (not the one you are using): its requests are refused and its open subscriptions end, in every process. Needs the admin role.',
    authScopes: { role: 'admin' },
    args: { id: t.arg.id({ required: true, description: 'The token id.' }) },
    resolve: (_root, args, ctx) => revokeAccessToken(ctx.rt, ctx.actor, args.id),
  }),
}));
