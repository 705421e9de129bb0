/**
 * Bulk replay, for REST and GraphQL alike: an operator narrows the dead letters with a
 * filter (deadLetters.ts), sees how many match (the preview), and starts a replay that
 * puts them back in line in the background (replayTask.ts), with progress pushed live,
 * cancellable. A replay only ever takes deliveries that failed before it started, so the
 * ones it sends that fail again are not taken a second time, and running one twice
 * doubles nothing (only deliveries still failed are taken). Enabling an endpoint can also
 * start one for the events it missed while disabled (startMissedReplay).
 */
import { recordAudit } from '../audit/auditLog.ts';
import { authorize, type Actor } from '../auth/roles.ts';
import { withTransaction } from '../db/pool.ts';
import type { Replay } from '../db/generated/prisma/client.ts';
import { AppError, invalidInput, notFound } from '../errors.ts';
import { isUuid, newId } from '../ids.ts';
import type { Runtime } from '../runtime.ts';
import { countDeadLetters, parseDeadLetterFilter, type DeadLetterFilterInput } from './deadLetters.ts';
import type { Queryable } from '../db/queryable.ts';
import { likePattern } from '../events/eventSearch.ts';
import { firstIdAt } from '../events/trackingNumberRange.ts';
import { scheduleReplay } from './replayTask.ts';

type Deps = Pick<Runtime, 'pool' | 'prisma' | 'changes' | 'reads'>;

/** Replays running at once, at most: each is a steady load on the queue. */
export const MAX_RUNNING_REPLAYS = 5;

/** How many dead letters a replay with this filter would take now. */
export async function previewReplay(rt: Deps, actor: Actor | null, input: DeadLetterFilterInput): Promise<number> {
  authorize(actor, 'operator');
  return countDeadLetters(rt.reads.pool, parseDeadLetterFilter(input));
}

export async function startReplay(rt: Deps, actor: Actor | null, input: DeadLetterFilterInput): Promise<Replay> {
  authorize(actor, 'operator');
  const filter = parseDeadLetterFilter(input);
  const id = newId();
  await withTransaction(rt.pool, async (client) => {
    // One replay starts at a time, so the cap on running ones holds across api processes.
    await client.query(`select pg_advisory_xact_lock(hashtext('hookpost:replay:start'))`);
    const { rows } = await client.query<{ running: string; now: Date }>(
      `select count(*) filter (where status = 'running') as running, now() from replay`,
    );
    if (Number(rows[0]!.running) >= MAX_RUNNING_REPLAYS)
      throw new AppError(
        'conflict',
        `${MAX_RUNNING_REPLAYS} replays are running; wait for one to finish or cancel one.`,
      );
    // Only what failed before now: what it sends and fails again is not taken again.
    const startedAt = rows[0]!.now;
    const bounded = {
      ...filter,
      failedUntil: filter.failedUntil && filter.failedUntil < startedAt ? filter.failedUntil : startedAt,
    };
    if (bounded.failedSince && bounded.failedSince >= startedAt)
      throw invalidInput([
        { path: ['failedSince'], message: 'must be in the past (a replay takes what failed before it starts)' },
      ]);
    const total = await countDeadLetters(client, bounded);
    await client.query(`insert into replay (id, filter, total, created_by, created_at) values ($1, $2, $3, $4, $5)`, [
      id,
      JSON.stringify(bounded),
      total,
      actor!.name,
      startedAt,
    ]);
    await scheduleReplay(client, id);
    await recordAudit(client, actor, {
      action: 'replay.start',
      target: { type: 'replay', id },
      summary: { filter: JSON.parse(JSON.stringify(bounded)) as unknown, total },
    });
  });
  rt.changes.publish({ kind: 'replay', replayId: id });
  return (await rt.prisma.replay.findUnique({ where: { id } }))!;
}

/**
 * Starts a replay of the events an endpoint missed while disabled, inside the caller's
 * transaction (the one that enables it). Returns its id.
 */
export async function startMissedReplay(
  client: Queryable,
  actor: Actor,
  range: { endpointId: string; mailboxId: string; eventTypes: string[]; since: Date; until: Date },
): Promise<string> {
  const id = newId();
  const { rows } = await client.query<{ count: string }>(
    `select count(*) from event e
      where e.mailbox_id = $1 and e.id >= $2::uuid and e.id < $3::uuid
        and (cardinality($4::text[]) = 0 or e.event_type like any($4::text[])) and e.erased_at is null
        and not exists (select 1 from delivery d where d.event_id = e.id and d.endpoint_id = $5)`,
    [
      range.mailboxId,
      firstIdAt(range.since),
      firstIdAt(range.until),
      range.eventTypes.map(likePattern),
      range.endpointId,
    ],
  );
  await client.query(`insert into replay (id, filter, total, created_by) values ($1, $2, $3, $4)`, [
    id,
    JSON.stringify({ kind: 'missed', ...range }),
    Number(rows[0]!.count),
    actor.name,
  ]);
  await scheduleReplay(client, id);
  await recordAudit(client, actor, {
    action: 'replay.start',
    target: { type: 'replay', id },
    summary: { missedBy: range.endpointId, since: range.since.toISOString(), until: range.until.toISOString() },
  });
  return id;
}

/** Stops a running replay: what it already put back in line is delivered, nothing more is taken. */
export async function cancelReplay(rt: Deps, actor: Actor | null, id: string): Promise<Replay> {
  authorize(actor, 'operator');
  if (!isUuid(id)) throw notFound('The replay');
  const found = await withTransaction(rt.pool, async (client) => {
    const { rows } = await client.query<{ status: string }>('select status from replay where id = $1 for update', [id]);
    if (!rows[0]) return false;
    if (rows[0].status !== 'running') return true;
    await client.query(`update replay set status = 'cancelled', finished_at = now() where id = $1`, [id]);
    await recordAudit(client, actor, { action: 'replay.cancel', target: { type: 'replay', id } });
    return true;
  });
  if (!found) throw notFound('The replay');
  rt.changes.publish({ kind: 'replay', replayId: id });
  return (await rt.prisma.replay.findUnique({ where: { id } }))!;
}

export async function getReplay(rt: Deps, actor: Actor | null, id: string): Promise<Replay | null> {
  authorize(actor, 'viewer');
  if (!isUuid(id)) return null;
  return rt.reads.prisma.replay.findUnique({ where: { id } });
}

/** Replays, newest first. */
export async function listReplays(
  rt: Deps,
  actor: Actor | null,
  page: { after?: string; limit: number },
): Promise<Replay[]> {
  authorize(actor, 'viewer');
  return rt.reads.prisma.replay.findMany({
    where: page.after && isUuid(page.after) ? { id: { lt: page.after } } : undefined,
    orderBy: { id: 'desc' },
    take: page.limit,
  });
}
