/** The audit log over REST: newest first, filtered, admins only (server/audit/). */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listAuditEntries, type AuditFilter } from '../../audit/auditQueries.ts';
import type { Runtime } from '../../runtime.ts';
import { announceNextPage } from '../pagination.ts';
import { errorResponses, page, paginationQuery } from '../schemas.ts';

const auditEntryBody = z
  .object({
    id: z.string().meta({ format: 'uuid' }),
    at: z.string().meta({ format: 'date-time' }).describe('ISO 8601 time'),
    actor_token_id: z
      .string()
      .meta({ format: 'uuid' })
      .nullable()
      .describe('The access token it was done with; null when nobody was signed in'),
    actor_name: z.string().describe("The access token's name at the time"),
    action: z.string().describe('`<target type>.<verb>`, e.g. `endpoint.rotate_secret`'),
    target_type: z.string(),
    target_id: z.string().nullable(),
    summary: z.record(z.string(), z.unknown()).describe('What changed (secrets redacted)'),
  })
  .meta({
    id: 'AuditEntry',
    description: 'One change made through the API, by whom.',
    examples: [
      {
        id: '0193a5b5-2a00-7b1c-9d2e-3f4a5b6c7d8e',
        at: '2026-11-28T10:25:00.000Z',
        actor_token_id: '0193a5b0-0a1b-7c2d-8e3f-4a5b6c7d8e9f',
        actor_name: 'deploy bot',
        action: 'endpoint.rotate_secret',
        target_type: 'endpoint',
        target_id: '0193a5b2-7c20-7b1c-8e2f-41a6c3d5e7f9',
        summary: {},
      },
    ],
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
      operationId: 'listAuditEntries',
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
      response: {
        200: page(auditEntryBody, 'A page of audit entries, newest first'),
        ...errorResponses(401, 403, 422, 429, 503),
      },
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
