/** Operator: who is calling, so a client can show only what its role allows. */
import type { Actor } from '../../auth/roles.ts';
import { builder } from '../builder.ts';
import { OperatorRole } from './accessToken.ts';

const Operator = builder.objectRef<Actor>('Operator').implement({
  description: 'The caller: the access token a request was authenticated with.',
  fields: (t) => ({
    tokenId: t.exposeID('tokenId', { description: 'The id of the access token.' }),
    name: t.exposeString('name', { description: 'The name of the access token.' }),
    role: t.expose('role', { type: OperatorRole, description: 'What it may do.' }),
  }),
});

builder.queryField('me', (t) =>
  t.field({
    type: Operator,
    description: 'Who is calling.',
    // The Query type's viewer scope guarantees an actor here.
    resolve: (_root, _args, ctx) => ctx.actor!,
  }),
);
