/**
 * Reading endpoints, for REST and GraphQL alike: who may read and which rows a list
 * holds, oldest first. Callers say what they select and how they page (GraphQL passes
 * the query Pothos planned; REST its own), never what is filtered.
 */
import { authorize, type Actor } from '../auth/roles.ts';
import type { Prisma } from '../db/prisma.ts';
import { isUuid } from '../ids.ts';
import type { Runtime } from '../runtime.ts';

type Deps = Pick<Runtime, 'reads'>;
type EndpointArgs = Omit<Prisma.EndpointFindManyArgs, 'where' | 'orderBy'>;
type EndpointSelection = Pick<Prisma.EndpointFindUniqueArgs, 'select' | 'include' | 'omit'>;

export interface EndpointFilter {
  /** Only this mailbox's endpoints (an id that is not a UUID matches none). */
  mailboxId?: string | null;
  /** Only enabled (true) or disabled (false) endpoints. */
  enabled?: boolean | null;
  /** Also deleted endpoints (their history stays readable). Default false. */
  includeDeleted?: boolean | null;
}

/** Endpoints, oldest first. */
export async function listEndpoints<A extends EndpointArgs>(
  rt: Deps,
  actor: Actor | null,
  filter: EndpointFilter,
  args: A,
): Promise<Prisma.EndpointGetPayload<A>[]> {
  authorize(actor, 'viewer');
  if (filter.mailboxId && !isUuid(filter.mailboxId)) return [];
  return rt.reads.prisma.endpoint.findMany({
    ...args,
    where: {
      mailboxId: filter.mailboxId ?? undefined,
      enabled: filter.enabled ?? undefined,
      deletedAt: filter.includeDeleted ? undefined : null,
    },
    orderBy: { id: 'asc' },
  }) as Promise<Prisma.EndpointGetPayload<A>[]>;
}

/** One endpoint, deleted ones included (see `deletedAt`); null when there is none with this id. */
export async function getEndpoint<A extends EndpointSelection>(
  rt: Deps,
  actor: Actor | null,
  id: string,
  args: A,
): Promise<Prisma.EndpointGetPayload<A> | null> {
  authorize(actor, 'viewer');
  if (!isUuid(id)) return null;
  return rt.reads.prisma.endpoint.findUnique({
    ...args,
    where: { id },
  }) as Promise<Prisma.EndpointGetPayload<A> | null>;
}
