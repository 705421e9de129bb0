/**
 * Claim: a worker takes deliveries of a job for one attempt each, in one round trip, and
 * gets back everything it needs to send them. A delivery is taken only when it is
 * queued and due, or `delivering` for a worker that is dead (its heartbeat row is gone:
 * worker/liveness.ts) or for this same worker (a job graphile-worker ran again after a
 * failure; the task never claims what it has in flight). So a stale, duplicate or
 * re-run job finds nothing to do, and no delivery is in flight twice.
 *
 * A delivery whose endpoint was disabled or deleted while it waited is cancelled here
 * instead, in the same statement (and the next of its ordering key's line woken). One
 * behind its ordering key's line is left as it is (orderingLine.ts): it is woken when its
 * turn comes.
 */
import type { ChangeBus } from '../db/changeBus.ts';
import type { Queryable } from '../db/queryable.ts';
import type { AttemptTrigger } from './deliverJobs.ts';
import { behindItsLine, isLineConflict, wakeNextInLine } from './orderingLine.ts';
import { publishDeliveryChange } from './publish.ts';
import { lifecycleCtes } from './sql/lifecycleSql.ts';

export interface ClaimedDelivery {
  id: string;
  eventId: string;
  mailboxId: string;
  endpointId: string;
  /** Attempts made before this one. */
  attemptCount: number;
  eventType: string | null;
  contentType: string;
  body: Buffer;
  /** Times the event had passed through Hookpost before it was accepted (events/hops.ts). */
  hops: number;
  url: string;
  sealedHeaders: Buffer | null;
  timeoutMs: number;
  retryPolicy: unknown;
  /** The endpoint's live signing secrets, newest first, sealed. */
  sealedSecrets: Buffer[];
  /** The ordering key's line it is in (orderingLine.ts), or null. */
  orderingKey: string | null;
  /**
   * The trigger a job that could not claim it remembered for it (orderingLine.ts
   * rememberTrigger), or null: a scheduled job's attempt of it is of that kind.
   */
  waitingTrigger: AttemptTrigger | null;
}

export interface Claim {
  claimed: ClaimedDelivery[];
  /** Deliveries cancelled because their endpoint is no longer active. */
  cancelled: string[];
  /**
   * Deliveries not claimed because their endpoint is not plain (paused, circuit not
   * closed, throttled, rate or concurrency limited): claimGuarded.ts decides for them.
   */
  guarded: string[];
  /** Whether the endpoint's health has failures to clear: a success must be reported. */
  healthDirty: boolean;
}

/**
 * A delivery that may be claimed now: queued and due, or in flight for a dead worker (or
 * this one); and not behind its ordering key's line.
 */
export const claimable = `((d.status = 'queued' and (d.next_attempt_at is null or d.next_attempt_at <= now()))
        or (d.status = 'delivering'
            and (d.claimed_by = $2 or not exists (select 1 from worker_heartbeat w where w.worker_id = d.claimed_by))))
       and not ${behindItsLine('d')}`;

// $3 true: claim even from a guarded endpoint (claimGuarded.ts planned these already);
// $4 true: its claim counts them among the endpoint's requests in flight (a concurrency limit).
//
// The rows are not locked when read (`target`): the update takes a delivery only if it is
// still as it was read (status, worker, attempts) and, if queued, still due: one put off in
// a transaction that committed meanwhile (claimGuarded.ts's plan, a give-back) stays queued
// with its worker and attempts, only it is no longer due. A delivery another transaction changed
// meanwhile is re-checked by PostgreSQL against its newest version, and left alone unless
// nothing that matters moved; so two workers never both take one, and the counters move
// from the status the delivery really had. Locking them first cost a WAL record a row.
const claimStatement = `
  with target as (
    select d.id, d.status as from_status, d.claimed_by as from_worker, d.attempt_count as from_attempts,
           d.waiting_trigger as from_trigger, (p.enabled and p.deleted_at is null) as active,
           (p.paused_at is not null or p.rate_limit_per_second is not null or p.max_in_flight is not null
            or coalesce(h.circuit_state <> 'closed' or h.throttled_until > now(), false)) as guarded,
           coalesce(h.consecutive_failures > 0 or h.failing_since is not null, false) as health_dirty
      from unnest($1::uuid[]) as job(id)
      join delivery d on d.id = job.id
      join endpoint p on p.id = d.endpoint_id
      left join endpoint_health h on h.endpoint_id = p.id
     where ${claimable}
  ), changed as (
    update delivery d
       set status = case when t.active then 'delivering' else 'cancelled' end::delivery_status,
           claimed_by = case when t.active then $2 end,
           next_attempt_at = case when t.active then d.next_attempt_at end,
           in_flight_counted = t.active and $4,
           waiting_trigger = null,
           updated_at = now()
      from target t, event e, endpoint p
     where d.id = t.id and e.id = d.event_id and p.id = d.endpoint_id and (not t.active or not t.guarded or $3)
       and d.status = t.from_status and d.claimed_by is not distinct from t.from_worker and d.attempt_count = t.from_attempts
       and (d.status <> 'queued' or d.next_attempt_at is null or d.next_attempt_at <= now())
 returning d.id, d.event_id, d.endpoint_id, t.from_status, d.status as to_status, 0 as attempted,
           null::timestamptz as attempted_at, d.attempt_count as "attemptCount", e.mailbox_id as "mailboxId", p.id as "endpointId",
           e.event_type as "eventType", e.content_type as "contentType", e.body, e.hops, p.url,
           p.sealed_headers as "sealedHeaders", p.timeout_ms as "timeoutMs", p.retry_policy as "retryPolicy",
           array(select s.ciphertext from endpoint_secret s
                  where s.endpoint_id = p.id and (s.expires_at is null or s.expires_at > now())
                  order by s.created_at desc) as "sealedSecrets", d.ordering_key as "orderingKey",
           t.from_trigger as "waitingTrigger"
  ), ${lifecycleCtes('changed')}
  select id, event_id, to_status, "attemptCount", "mailboxId", "endpointId", "eventType", "contentType", body, hops, url,
         "sealedHeaders", "timeoutMs", "retryPolicy", "sealedSecrets", "orderingKey", "waitingTrigger",
         (select array_agg(t.id) from target t where t.active and t.guarded and not $3) as guarded,
         (select bool_or(health_dirty) from target) as "healthDirty"
    from changed
  union all
  select null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
         (select array_agg(t.id) from target t where t.active and t.guarded and not $3),
         (select bool_or(health_dirty) from target)
   where not exists (select 1 from changed)`;

type ClaimRow = Omit<ClaimedDelivery, 'eventId'> & {
  event_id: string | null;
  to_status: 'delivering' | 'cancelled' | null;
  guarded: string[] | null;
  healthDirty: boolean | null;
};

export async function claimDeliveries(
  deps: { db: Queryable; changes: Pick<ChangeBus, 'publish'> },
  workerId: string,
  deliveryIds: string[],
  options: { guardedAlreadyPlanned?: boolean; countInFlight?: boolean; inTransaction?: boolean } = {},
): Promise<Claim> {
  if (deliveryIds.length === 0) return { claimed: [], cancelled: [], guarded: [], healthDirty: false };
  const statement = {
    name: 'claim_deliveries',
    text: claimStatement,
    values: [deliveryIds, workerId, options.guardedAlreadyPlanned ?? false, options.countInFlight ?? false],
  };
  const { rows } = await deps.db.query<ClaimRow>(statement).catch((error: unknown) => {
    // Another worker claimed a delivery of the same ordering key at the same moment and won
    // (orderingLine.ts): once more, the statement sees it in flight and leaves ours. Inside
    // a transaction the caller starts again instead (the transaction is aborted).
    if (options.inTransaction || !isLineConflict(error)) throw error;
    return deps.db.query<ClaimRow>(statement);
  });
  const claim: Claim = {
    claimed: [],
    cancelled: [],
    guarded: rows[0]?.guarded ?? [],
    healthDirty: rows[0]?.healthDirty ?? false,
  };
  for (const row of rows) {
    const { event_id: eventId, to_status: status, guarded: _guarded, healthDirty: _dirty, ...rest } = row;
    if (!eventId || !status) continue;
    const delivery: ClaimedDelivery = { ...rest, eventId };
    publishDeliveryChange(
      deps.changes,
      { deliveryId: row.id, eventId, mailboxId: row.mailboxId, endpointId: row.endpointId },
      status,
    );
    if (status === 'delivering') claim.claimed.push(delivery);
    else claim.cancelled.push(row.id);
  }
  // A cancelled one has left its ordering key's line: the next one is woken, and is
  // cancelled by its own claim in turn (the rest of the line was waiting without a job).
  await wakeNextInLine(deps.db, claim.cancelled);
  // Oldest first (ids are time-ordered): a job sends its deliveries in arrival order.
  claim.claimed.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return claim;
}
