/**
 * Reading events for the REST API: newest first, cursor-paginated on the time-ordered
 * tracking number, filterable by status and mailbox. (GraphQL has its own resolvers
 * on the same tables, planned by Pothos.)
 */
import { z } from 'zod';
import { authorize, type Actor } from '../auth/roles.ts';
import { notFound, parseInput } from '../errors.ts';
import { isUuid } from '../ids.ts';
import type { Runtime } from '../runtime.ts';
import { eventStatuses, type EventStatus } from './statuses.ts';

export const listEventsSchema = z.object({
  status: z.enum(eventStatuses).optional(),
  mailboxId: z.uuid().optional(),
  limit: z.int().min(1).max(200).default(50),
  cursor: z.uuid().optional(),
});

const withDeliveries = {
  mailbox: { select: { name: true } },
  deliveries: { orderBy: { id: 'asc' as const }, include: { endpoint: { select: { url: true } } } },
};

export async function listEvents(
  rt: Pick<Runtime, 'prisma'>,
  actor: Actor | null,
  input: z.input<typeof listEventsSchema>,
) {
  authorize(actor, 'viewer');
  const query = parseInput(listEventsSchema, input);
  const events = await rt.prisma.event.findMany({
    where: {
      status: query.status as EventStatus | undefined,
      mailboxId: query.mailboxId,
      id: query.cursor ? { lt: query.cursor } : undefined,
    },
    orderBy: { id: 'desc' },
    take: query.limit + 1,
    omit: { body: true },
    include: withDeliveries,
  });
  const page = events.slice(0, query.limit);
  return { events: page, nextCursor: events.length > query.limit ? page[page.length - 1]!.id : null };
}

export async function getEvent(rt: Pick<Runtime, 'prisma'>, actor: Actor | null, trackingNumber: string) {
  authorize(actor, 'viewer');
  if (!isUuid(trackingNumber)) throw notFound('The event');
  const event = await rt.prisma.event.findUnique({
    where: { id: trackingNumber },
    include: {
      mailbox: { select: { name: true } },
      deliveries: {
        orderBy: { id: 'asc' },
        include: { endpoint: { select: { url: true } }, attempts: { orderBy: { number: 'asc' } } },
      },
    },
  });
  if (!event) throw notFound('The event');
  return event;
}
