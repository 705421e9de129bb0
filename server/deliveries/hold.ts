/**
 * Holding, putting off and releasing deliveries whose endpoint cannot take them now
 * (endpoints/circuit.ts decides which): held ones wait without a job or an attempt, with
 * the reason; put-off ones stay queued with a job due later; released ones go back in
 * line, oldest first. The endpoint's `held_from` remembers where its oldest held delivery
 * is, so releasing never scans its history.
 */
import type { ChangeBus } from '../db/changeBus.ts';
import type { Queryable } from '../db/queryable.ts';
import { addDeliverJobs, deliverJobPayloads } from './deliverJobs.ts';
import { publishDeliveryChange, type DeliveryRef } from './publish.ts';
import { allowedFrom, lifecycleCtes } from './sql/lifecycleSql.ts';

type Deps = { db: Queryable; changes: Pick<ChangeBus, 'publish'> };

/**
 * With a worker's id in `param`, a delivery in flight moves only if that worker still has
 * it; with null, the caller chose the rows by claim.ts's rules already.
 */
const stillOurs = (param: string) =>
  `(${param}::text is null or d.status <> 'delivering' or d.claimed_by = ${param}::text)`;

const refs = `select c.id as "deliveryId", c.event_id as "eventId", e.mailbox_id as "mailboxId", c.endpoint_id as "endpointId"
    from changed c join event e on e.id = c.event_id`;

const holdStatement = `
  with target as (
    select d.id, d.status as from_status from delivery d
     where d.id = any($1::uuid[]) and ${allowedFrom('hold', 'd.status')} and ${stillOurs('$3')}
       for update
  ), changed as (
    update delivery d set status = 'held', status_reason = $2, claimed_by = null, next_attempt_at = null, updated_at = now()
      from target t where d.id = t.id
 returning d.id, d.event_id, d.endpoint_id, t.from_status, d.status as to_status, 0 as attempted, null::timestamptz as attempted_at
  ), ${lifecycleCtes('changed')}, oldest as (
    select endpoint_id, (array_agg(id order by id))[1] as first from changed group by endpoint_id
  ), marked as (
    -- Only when it moves held_from back: the row is not locked otherwise, so the jobs of an
    -- endpoint whose circuit is open do not queue on it one after another.
    update endpoint_health h set held_from = o.first from oldest o
     where h.endpoint_id = o.endpoint_id and (h.held_from is null or h.held_from > o.first)
  ), made as (
    -- Made when the endpoint has no health row yet (the send gate gives back deliveries of an
    -- endpoint that never needed one): without held_from they would never be released.
    insert into endpoint_health as h (endpoint_id, held_from)
    select o.endpoint_id, o.first from oldest o
     where not exists (select 1 from endpoint_health x where x.endpoint_id = o.endpoint_id)
        on conflict (endpoint_id) do update set held_from = least(coalesce(h.held_from, excluded.held_from), excluded.held_from)
  )
  ${refs}`;

/**
 * Holds these deliveries with the reason; returns those held. `claimedBy`: a worker giving
 * back deliveries it claimed but did not send (only those still its own move).
 */
export async function holdDeliveries(
  deps: Deps,
  ids: string[],
  reason: string,
  claimedBy: string | null = null,
): Promise<DeliveryRef[]> {
  if (ids.length === 0) return [];
  const { rows } = await deps.db.query<DeliveryRef>({
    name: 'hold_deliveries',
    text: holdStatement,
    values: [ids, reason, claimedBy],
  });
  for (const delivery of rows) publishDeliveryChange(deps.changes, delivery, 'held');
  return rows;
}

const deferStatement = `
  with target as (
    select d.id, d.status as from_status, x.at from delivery d
      join unnest($1::uuid[], $2::timestamptz[]) as x(id, at) on x.id = d.id
     where ${allowedFrom('requeue', 'd.status')} and d.status in ('queued', 'delivering') and ${stillOurs('$3')}
       for update of d
  ), changed as (
    update delivery d set status = 'queued', next_attempt_at = t.at, claimed_by = null, updated_at = now()
      from target t where d.id = t.id
 returning d.id, d.event_id, d.endpoint_id, t.from_status, d.status as to_status, 0 as attempted, null::timestamptz as attempted_at,
           t.at
  ), ${lifecycleCtes('changed')}
  select c.id, c.endpoint_id as "endpointId", c.at from changed c`;

/**
 * Puts these deliveries off, each to its own moment: they stay queued, and jobs due then
 * will claim them (`trigger` is what their attempt will be). `claimedBy` as for holdDeliveries.
 */
export async function deferDeliveries(
  deps: { db: Queryable },
  deferred: { id: string; at: Date }[],
  trigger: Parameters<typeof deliverJobPayloads>[0],
  claimedBy: string | null = null,
): Promise<void> {
  if (deferred.length === 0) return;
  const { rows } = await deps.db.query<{ id: string; endpointId: string; at: Date }>({
    name: 'defer_deliveries',
    text: deferStatement,
    values: [deferred.map((d) => d.id), deferred.map((d) => d.at), claimedBy],
  });
  const byMoment = new Map<number, { id: string; endpointId: string }[]>();
  for (const row of rows) {
    const group = byMoment.get(row.at.getTime());
    if (group) group.push(row);
    else byMoment.set(row.at.getTime(), [row]);
  }
  for (const [at, group] of byMoment) await addDeliverJobs(deps.db, deliverJobPayloads(trigger, group), new Date(at));
}

const releaseStatement = `
  with target as (
    select d.id, d.status as from_status from delivery d
     where d.endpoint_id = $1 and d.id >= coalesce((select held_from from endpoint_health where endpoint_id = $1), '00000000-0000-0000-0000-000000000000')
       and ${allowedFrom('release', 'd.status')}
     order by d.id limit $2
       for update
  ), changed as (
    update delivery d set status = 'queued', status_reason = null, next_attempt_at = now(), updated_at = now()
      from target t where d.id = t.id
 returning d.id, d.event_id, d.endpoint_id, t.from_status, d.status as to_status, 0 as attempted, null::timestamptz as attempted_at
  ), ${lifecycleCtes('changed')}
  ${refs} order by c.id`;

/**
 * Releases up to `limit` of an endpoint's held deliveries, oldest first, each with a job;
 * returns those released. When fewer than `limit` were held, none is left and the
 * endpoint's `held_from` is cleared. The caller holds the endpoint's health row lock.
 */
export async function releaseHeld(deps: Deps, endpointId: string, limit: number): Promise<DeliveryRef[]> {
  const { rows } = await deps.db.query<DeliveryRef>({
    name: 'release_held',
    text: releaseStatement,
    values: [endpointId, limit],
  });
  if (rows.length > 0) {
    await addDeliverJobs(
      deps.db,
      deliverJobPayloads(
        'scheduled',
        rows.map((row) => ({ id: row.deliveryId, endpointId: row.endpointId })),
      ),
      new Date(),
    );
  }
  await deps.db.query(`update endpoint_health set held_from = $2 where endpoint_id = $1`, [
    endpointId,
    rows.length < limit ? null : rows[rows.length - 1]!.deliveryId,
  ]);
  for (const delivery of rows) publishDeliveryChange(deps.changes, delivery, 'queued');
  return rows;
}
