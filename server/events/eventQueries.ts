/**
 * Reading events and deliveries, for REST and GraphQL alike: one event list (the search
 * in eventSearch.ts picks a page of tracking numbers with every filter, default and
 * limit; this loads what the caller selects, in list order), one event, one delivery.
 * Callers say what they select (GraphQL passes the query Pothos planned, so one query
 * loads the page and whatever it asks for below it), never what is filtered.
 */
import { authorize, type Actor } from '../auth/roles.ts';
import type { Prisma } from '../db/prisma.ts';
import { isUuid } from '../ids.ts';
import type { Runtime } from '../runtime.ts';
import { searchEventIds, type EventPage, type EventSearch } from './eventSearch.ts';

type Deps = Pick<Runtime, 'reads'>;
type EventSelection = Pick<Prisma.EventFindManyArgs, 'select' | 'include' | 'omit'>;
type DeliverySelection = Pick<Prisma.DeliveryFindUniqueArgs, 'select' | 'include' | 'omit'>;

/** A page of the event history, in list order (newest first, or oldest first for `inverted`). */
export async function findEvents<A extends EventSelection>(
  rt: Deps,
  actor: Actor | null,
  search: EventSearch,
  page: EventPage,
  selection: A,
): Promise<Prisma.EventGetPayload<A>[]> {
  const ids = await searchEventIds(rt, actor, search, page);
  if (ids.length === 0) return [];
  // The id is what puts rows back in list order, whatever else the caller selects.
  const withId = selection.select ? { ...selection, select: { ...selection.select, id: true } } : selection;
  const rows = await rt.reads.prisma.event.findMany({ ...withId, where: { id: { in: ids } } });
  const byId = new Map(rows.map((row) => [row.id, row as unknown as Prisma.EventGetPayload<A>]));
  return ids.map((id) => byId.get(id)).filter((row) => row !== undefined);
}

/** One event by its tracking number; null when there is none. */
export async function getEvent<A extends EventSelection>(
  rt: Deps,
  actor: Actor | null,
  trackingNumber: string,
  selection: A,
): Promise<Prisma.EventGetPayload<A> | null> {
  authorize(actor, 'viewer');
  if (!isUuid(trackingNumber)) return null;
  return rt.reads.prisma.event.findUnique({
    ...selection,
    where: { id: trackingNumber },
  }) as Promise<Prisma.EventGetPayload<A> | null>;
}

/** One delivery; null when there is none. */
export async function getDelivery<A extends DeliverySelection>(
  rt: Deps,
  actor: Actor | null,
  id: string,
  selection: A,
): Promise<Prisma.DeliveryGetPayload<A> | null> {
  authorize(actor, 'viewer');
  if (!isUuid(id)) return null;
  return rt.reads.prisma.delivery.findUnique({
    ...selection,
    where: { id },
  }) as Promise<Prisma.DeliveryGetPayload<A> | null>;
}
