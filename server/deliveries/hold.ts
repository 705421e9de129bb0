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

const refs = `select c.id as "deliveryId", c.event_id as "eventId", e.mailbox_id as "mailboxId", c.endpoint_id as "endpointId"
    from changed c join event e on e.id = c.event_id`;

const holdStatement = `
  with target as (
    select d.id, d.status as from_status from delivery d
     where d.id = any($1::uuid[]) and ${allowedFrom('hold', 'd.status')}
       for update
  ), changed as (
    update delivery d set status = 'held', status_reason = $2, claimed_by = null, next_attempt_at = null, updated_at = now()
      from target t where d.id = t.id
 returning d.id, d.event_id, d.endpoint_id, t.from_status, d.status as to_status, 0 as attempted, null::timestamptz as attempted_at
  ), ${lifecycleCtes('changed')}, marked as (
    update endpoint_health h set held_from = least(coalesce(h.held_from, m.first), m.first)
      from (select endpoint_id, (array_agg(id order by id))[1] as first from changed group by endpoint_id) m
     where h.endpoint_id = m.endpoint_id
  )
  ${refs}`;

/** Holds these deliveries with the reason; returns those held. */
export async function holdDeliveries(deps: Deps, ids: string[], reason: string): Promise<DeliveryRef[]> {
  if (ids.length === 0) return [];
  const { rows } = await deps.db.query<DeliveryRef>(holdStatement, [ids, reason]);
  for (const delivery of rows) publishDeliveryChange(deps.changes, delivery, 'held');
  return rows;
}

const deferStatement = `
  with target as (
    select d.id, d.status as from_status, x.at from delivery d
      join unnest($1::uuid[], $2::timestamptz[]) as x(id, at) on x.id = d.id
     where ${allowedFrom('requeue', 'd.status')} and d.status in ('queued', 'delivering')
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
 * will claim them (`trigger` is what their attempt will be).
 */
export async function deferDeliveries(
  deps: { db: Queryable },
  deferred: { id: string; at: Date }[],
  trigger: Parameters<typeof deliverJobPayloads>[0],
): Promise<void> {
  if (deferred.length === 0) return;
  const { rows } = await deps.db.query<{ id: string; endpointId: string; at: Date }>(deferStatement, [
    deferred.map((d) => d.id),
    deferred.map((d) => d.at),
  ]);
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
  const { rows } = await deps.db.query<DeliveryRef>(releaseStatement, [endpointId, limit]);
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
