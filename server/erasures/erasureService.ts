/**
 * Bulk erasure, for REST and GraphQL alike: an admin narrows a mailbox's events with the
 * events history's filter (erasureFilter.ts), sees how many match (the preview), and
 * starts an erasure that erases them in the background (erasureTask.ts) by the one-event
 * rule, with progress pushed live, cancellable (what it erased stays erased). It takes
 * only events received before it started, so it ends however fast new ones arrive.
 *
 * Admins only, reads too: the filter names the data subject (`data.email = …`), and the
 * erasure keeps it as the record of the request.
 */
import { recordAudit } from '../audit/auditLog.ts';
import { authorize, type Actor } from '../auth/roles.ts';
import type { Erasure } from '../db/generated/prisma/client.ts';
import { withTransaction } from '../db/pool.ts';
import { AppError, notFound, parseInput } from '../errors.ts';
import { isUuid, newId } from '../ids.ts';
import type { Runtime } from '../runtime.ts';
import {
  boundToStart,
  checkExpectedCount,
  erasureFilterSchema,
  parseErasureRequest,
  type ErasureFilterInput,
  type ErasureRequest,
} from './erasureFilter.ts';
import { countMatchingEvents } from './matchingEvents.ts';
import { scheduleErasure } from './erasureTask.ts';

type Deps = Pick<Runtime, 'pool' | 'prisma' | 'changes' | 'reads'>;

/** Erasures running at once, at most: each is a steady load of writes. */
export const MAX_RUNNING_ERASURES = 5;

async function requireMailbox(db: Deps['reads']['pool'], mailboxId: string): Promise<void> {
  if (!isUuid(mailboxId)) throw notFound('The mailbox');
  const { rows } = await db.query('select 1 from mailbox where id = $1', [mailboxId]);
  if (rows.length === 0) throw notFound('The mailbox');
}

/** How many events of the mailbox an erasure with this filter would take now (whatever it matches). */
export async function previewErasure(
  rt: Deps,
  actor: Actor | null,
  mailboxId: string,
  input: ErasureFilterInput | undefined,
): Promise<number> {
  authorize(actor, 'admin');
  const filter = parseInput(erasureFilterSchema, input ?? {});
  await requireMailbox(rt.reads.pool, mailboxId);
  return countMatchingEvents(rt.reads.pool, mailboxId, filter);
}

export async function startErasure(
  rt: Deps,
  actor: Actor | null,
  mailboxId: string,
  request: ErasureRequest,
): Promise<Erasure> {
  authorize(actor, 'admin');
  // Input first, so a bad filter is refused the same way whatever the mailbox.
  const requested = parseErasureRequest(request);
  await requireMailbox(rt.pool, mailboxId);
  const id = newId();
  await withTransaction(rt.pool, async (client) => {
    // One erasure starts at a time, so the cap on running ones holds across api processes.
    await client.query(`select pg_advisory_xact_lock(hashtext('hookpost:erasure:start'))`);
    const { rows } = await client.query<{ running: string; now: Date }>(
      `select count(*) filter (where status = 'running') as running, now() from erasure`,
    );
    if (Number(rows[0]!.running) >= MAX_RUNNING_ERASURES)
      throw new AppError(
        'conflict',
        `${MAX_RUNNING_ERASURES} erasures are running; wait for one to finish or cancel one.`,
      );
    const startedAt = rows[0]!.now;
    const filter = boundToStart(requested, startedAt);
    const matched = await countMatchingEvents(client, mailboxId, filter);
    checkExpectedCount(matched, request.expectedCount);
    await client.query(
      `insert into erasure (id, mailbox_id, filter, matched, created_by, created_at) values ($1, $2, $3, $4, $5, $6)`,
      [id, mailboxId, JSON.stringify(filter), matched, actor.name, startedAt],
    );
    await scheduleErasure(client, id);
    await recordAudit(client, actor, {
      action: 'erasure.start',
      target: { type: 'erasure', id },
      summary: { mailboxId, filter: JSON.parse(JSON.stringify(filter)) as unknown, matched },
    });
  });
  rt.changes.publish({ kind: 'erasure', erasureId: id });
  return (await rt.prisma.erasure.findUnique({ where: { id } }))!;
}

/** Stops a running erasure: what it erased stays erased, nothing more is taken. */
export async function cancelErasure(rt: Deps, actor: Actor | null, id: string): Promise<Erasure> {
  authorize(actor, 'admin');
  if (!isUuid(id)) throw notFound('The erasure');
  const found = await withTransaction(rt.pool, async (client) => {
    const { rows } = await client.query<{ status: string }>('select status from erasure where id = $1 for update', [
      id,
    ]);
    if (!rows[0]) return false;
    if (rows[0].status !== 'running') return true;
    await client.query(`update erasure set status = 'cancelled', finished_at = now() where id = $1`, [id]);
    await recordAudit(client, actor, { action: 'erasure.cancel', target: { type: 'erasure', id } });
    return true;
  });
  if (!found) throw notFound('The erasure');
  rt.changes.publish({ kind: 'erasure', erasureId: id });
  return (await rt.prisma.erasure.findUnique({ where: { id } }))!;
}

export async function getErasure(rt: Deps, actor: Actor | null, id: string): Promise<Erasure | null> {
  authorize(actor, 'admin');
  if (!isUuid(id)) return null;
  return rt.reads.prisma.erasure.findUnique({ where: { id } });
}

/** Erasures, newest first, of one mailbox or of all. */
export async function listErasures(
  rt: Deps,
  actor: Actor | null,
  page: { mailboxId?: string; after?: string; limit: number },
): Promise<Erasure[]> {
  authorize(actor, 'admin');
  if (page.mailboxId !== undefined && !isUuid(page.mailboxId)) throw notFound('The mailbox');
  return rt.reads.prisma.erasure.findMany({
    where: {
      ...(page.mailboxId ? { mailboxId: page.mailboxId } : {}),
      ...(page.after && isUuid(page.after) ? { id: { lt: page.after } } : {}),
    },
    orderBy: { id: 'desc' },
    take: page.limit,
  });
}
