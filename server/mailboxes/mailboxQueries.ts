/**
 * Reading mailboxes and their API keys, for REST and GraphQL alike: who may read, which
 * rows a list holds and in what order. Callers say what they select and how they page
 * (GraphQL passes the query Pothos planned; REST its own), never what is filtered.
 */
import { authorize, type Actor } from '../auth/roles.ts';
import type { ApiKey } from '../db/generated/prisma/client.ts';
import type { Prisma } from '../db/prisma.ts';
import { isUuid } from '../ids.ts';
import type { Runtime } from '../runtime.ts';

type Deps = Pick<Runtime, 'reads'>;
type MailboxArgs = Omit<Prisma.MailboxFindManyArgs, 'where' | 'orderBy'>;
type MailboxSelection = Pick<Prisma.MailboxFindUniqueArgs, 'select' | 'include' | 'omit'>;

export interface MailboxFilter {
  /** Also deleted mailboxes (their history stays readable). Default false. */
  includeDeleted?: boolean;
}

/** Mailboxes, newest first. */
export async function listMailboxes<A extends MailboxArgs>(
  rt: Deps,
  actor: Actor | null,
  filter: MailboxFilter,
  args: A,
): Promise<Prisma.MailboxGetPayload<A>[]> {
  authorize(actor, 'viewer');
  return rt.reads.prisma.mailbox.findMany({
    ...args,
    // The system mailbox (Hookpost's own alerts) is not a producer: `Query.systemMailbox` reaches it.
    where: filter.includeDeleted ? { system: false } : { deletedAt: null, system: false },
    orderBy: { id: 'desc' },
  }) as Promise<Prisma.MailboxGetPayload<A>[]>;
}

/** One mailbox, deleted ones included (see `deletedAt`); null when there is none with this id. */
export async function getMailbox<A extends MailboxSelection>(
  rt: Deps,
  actor: Actor | null,
  id: string,
  args: A,
): Promise<Prisma.MailboxGetPayload<A> | null> {
  authorize(actor, 'viewer');
  if (!isUuid(id)) return null;
  return rt.reads.prisma.mailbox.findUnique({ ...args, where: { id } }) as Promise<Prisma.MailboxGetPayload<A> | null>;
}

/** A mailbox's API keys, oldest first (prefixes only: a key itself is shown once, when made). */
export async function listApiKeys(rt: Deps, actor: Actor | null, mailboxId: string): Promise<ApiKey[]> {
  authorize(actor, 'viewer');
  if (!isUuid(mailboxId)) return [];
  return rt.reads.prisma.apiKey.findMany({ where: { mailboxId }, orderBy: { id: 'asc' } });
}
