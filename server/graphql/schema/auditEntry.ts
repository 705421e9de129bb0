/** AuditEntry: the audit log of management actions, readable by admins (server/audit/). */
import { auditActions } from '../../audit/auditLog.ts';
import { auditWhere } from '../../audit/auditQueries.ts';
import { builder } from '../builder.ts';

const withoutNulls = <T extends object>(value: T | null | undefined) =>
  Object.fromEntries(Object.entries(value ?? {}).filter(([, inner]) => inner !== null));

builder.prismaObject('AuditEntry', {
  description: 'One management action: who did what to what, when, and what changed. Never holds a secret value.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The entry id (time-ordered).' }),
    at: t.expose('at', { type: 'DateTime', description: 'When it was done.' }),
    actorTokenId: t.exposeID('actorTokenId', {
      nullable: true,
      description: 'The access token it was done with; null when nobody was signed in.',
    }),
    actorName: t.exposeString('actorName', { description: "The access token's name at the time." }),
    action: t.exposeString('action', {
      description: `What was done, as \`<target type>.<verb>\`: ${auditActions.join(', ')}.`,
    }),
    targetType: t.exposeString('targetType', { description: 'The kind of thing it was done to (`endpoint`…).' }),
    targetId: t.exposeString('targetId', { nullable: true, description: 'Its id, when it has one.' }),
    summary: t.string({
      description: 'What changed, as a JSON object (field names and new values; secrets redacted).',
      resolve: (entry) => JSON.stringify(entry.summary),
    }),
  }),
});

const AuditFilter = builder.inputType('AuditFilter', {
  description: 'Narrows the audit log; every filter given must match.',
  fields: (t) => ({
    action: t.string({ description: 'Only this action, e.g. `endpoint.rotate_secret`.' }),
    actorTokenId: t.id({ description: 'Only actions done with this access token.' }),
    targetType: t.string({ description: 'Only actions on this kind of thing (`endpoint`, `mailbox`…).' }),
    targetId: t.string({ description: 'Only actions on the thing with this id.' }),
    since: t.field({ type: 'DateTime', description: 'Only actions at or after this moment.' }),
    until: t.field({ type: 'DateTime', description: 'Only actions before this moment.' }),
  }),
});

builder.queryField('auditLog', (t) =>
  t.prismaConnection({
    type: 'AuditEntry',
    cursor: 'id',
    description: 'The audit log, newest first, with filters. Needs the admin role.',
    authScopes: { role: 'admin' },
    args: { filter: t.arg({ type: AuditFilter, description: 'What to narrow the log to.' }) },
    resolve: (query, _root, args, ctx) =>
      ctx.rt.reads.prisma.auditEntry.findMany({
        ...query,
        where: auditWhere(withoutNulls(args.filter) as Parameters<typeof auditWhere>[0]),
        orderBy: { id: 'desc' },
      }),
  }),
);
