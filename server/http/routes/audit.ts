/** The audit log over REST: newest first, filtered, admins only (server/audit/). */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listAuditEntries, type AuditFilter } from '../../audit/auditQueries.ts';
import type { Runtime } from '../../runtime.ts';
import { announceNextPage } from '../pagination.ts';
import { errorBody, paginationQuery } from '../schemas.ts';

const auditEntryBody = z.object({
  id: z.string(),
  at: z.string().describe('ISO 8601 time'),
  actor_token_id: z.string().nullable().describe('The access token it was done with; null when nobody was signed in'),
  actor_name: z.string().describe("The access token's name at the time"),
  action: z.string().describe('`<target type>.<verb>`, e.g. `endpoint.rotate_secret`'),
  target_type: z.string(),
  target_id: z.string().nullable(),
  summary: z.record(z.string(), z.unknown()).describe('What changed (secrets redacted)'),
});

/** An ISO 8601 time as a Date; the service says what is wrong with it. */
const time = z
  .string()
  .optional()
  .transform((value) => (value === undefined ? undefined : new Date(value)))
  .describe('ISO 8601 time');

export async function auditRoutes(app: FastifyInstance, rt: Runtime) {
  app.withTypeProvider<ZodTypeProvider>().get('/api/audit-log', {
    schema: {
      summary: 'The audit log, newest first (admin)',
      description: 'A JSON array; the next page is in the `Link` (rel="next") and `x-next-cursor` headers.',
      tags: ['Audit'],
      security: [{ bearerAuth: [] }],
      querystring: z.object({
        action: z.string().optional(),
        actor_token_id: z.string().optional(),
        target_type: z.string().optional(),
        target_id: z.string().optional(),
        since: time,
        until: time,
        ...paginationQuery,
      }),
      response: { 200: z.array(auditEntryBody), 401: errorBody, 403: errorBody, 422: errorBody },
    },
    handler: async (request, reply) => {
      const { limit, cursor, actor_token_id, target_type, target_id, action, since, until } = request.query;
      const page = await listAuditEntries(
        rt,
        request.actor,
        {
          action: action as AuditFilter['action'],
          actorTokenId: actor_token_id,
          targetType: target_type,
          targetId: target_id,
          since,
          until,
        },
        { limit, cursor },
      );
      announceNextPage(request, reply, page.nextCursor);
      return page.entries.map((entry) => ({
        id: entry.id,
        at: entry.at.toISOString(),
        actor_token_id: entry.actorTokenId,
        actor_name: entry.actorName,
        action: entry.action,
        target_type: entry.targetType,
        target_id: entry.targetId,
        summary: entry.summary as Record<string, unknown>,
      }));
    },
  });
}
