/**
 * Reading the audit log, newest first, with filters: by action, actor (access token),
 * target, and time. Admins only. The REST API pages with a cursor (the entry id, which
 * is time-ordered); GraphQL has its own connection over the same filter (`auditWhere`).
 */
import { z } from 'zod';
import { authorize, type Actor } from '../auth/roles.ts';
import type { Prisma } from '../db/generated/prisma/client.ts';
import { parseInput } from '../errors.ts';
import type { Runtime } from '../runtime.ts';
import { auditActions } from './auditLog.ts';

export const auditFilterSchema = z
  .object({
    action: z.enum(auditActions).optional(),
    actorTokenId: z.uuid().optional(),
    targetType: z.string().max(100).optional(),
    targetId: z.string().max(200).optional(),
    /** Entries at or after this time. */
    since: z.date().optional(),
    /** Entries before this time. */
    until: z.date().optional(),
  })
  .refine((filter) => !(filter.since && filter.until) || filter.since < filter.until, {
    message: 'since must be before until',
    path: ['since'],
  });

export type AuditFilter = z.input<typeof auditFilterSchema>;

/** The filter as a Prisma condition (shared with the GraphQL connection). */
export function auditWhere(input: AuditFilter): Prisma.AuditEntryWhereInput {
  const filter = parseInput(auditFilterSchema, input);
  return {
    action: filter.action,
    actorTokenId: filter.actorTokenId,
    targetType: filter.targetType,
    targetId: filter.targetId,
    at: filter.since || filter.until ? { gte: filter.since, lt: filter.until } : undefined,
  };
}

const pageSchema = z.object({ limit: z.int().min(1).max(200).default(50), cursor: z.uuid().optional() });

export async function listAuditEntries(
  rt: Pick<Runtime, 'reads'>,
  actor: Actor | null,
  filter: AuditFilter,
  page: z.input<typeof pageSchema>,
) {
  authorize(actor, 'admin');
  const where = auditWhere(filter);
  const { limit, cursor } = parseInput(pageSchema, page);
  const entries = await rt.reads.prisma.auditEntry.findMany({
    where: { ...where, id: cursor ? { lt: cursor } : undefined },
    orderBy: { id: 'desc' },
    take: limit + 1,
  });
  const shown = entries.slice(0, limit);
  return { entries: shown, nextCursor: entries.length > limit ? shown[shown.length - 1]!.id : null };
}
