/**
 * The `endpoint_health` row of an endpoint, shared by every worker: read under a row lock
 * (so two workers never both let a probe through, or both take the last rate-limit slot),
 * with the endpoint's settings the rules need, and written back.
 */
import type { Queryable } from '../db/queryable.ts';
import type { CircuitState, EndpointLimits, Health } from '../endpoints/circuit.ts';
import { healthPolicyOf, type HealthPolicy } from '../endpoints/healthPolicy.ts';

export interface LockedHealth {
  health: Health;
  limits: EndpointLimits;
  policy: HealthPolicy;
  mailboxId: string;
  /** Enabled and not deleted. */
  active: boolean;
}

interface Row {
  circuit_state: CircuitState;
  consecutive_failures: number;
  window_started_at: Date | null;
  window_attempts: number;
  window_failures: number;
  opened_at: Date | null;
  retry_at: Date | null;
  cool_down_ms: number | null;
  probe_delivery_id: string | null;
  failing_since: Date | null;
  throttled_until: Date | null;
  next_send_at: Date | null;
  in_flight: number;
  reason: string | null;
  changed_at: Date;
  paused: boolean;
  rate_limit_per_second: number | null;
  max_in_flight: number | null;
  health_policy: unknown;
  mailbox_id: string;
  active: boolean;
}

/** Locks the endpoint's health row (made when it has none); null when there is no such endpoint. */
export async function lockHealth(db: Queryable, endpointId: string): Promise<LockedHealth | null> {
  await db.query(
    `insert into endpoint_health (endpoint_id) select id from endpoint where id = $1 on conflict do nothing`,
    [endpointId],
  );
  return selectHealth(db, endpointId, 'for update of h');
}

/**
 * The endpoint's health as it is now, without waiting for or taking the lock (null when
 * it has no health row yet): for a decision that writes nothing to it.
 */
export async function peekHealth(db: Queryable, endpointId: string): Promise<LockedHealth | null> {
  return selectHealth(db, endpointId, '');
}

async function selectHealth(
  db: Queryable,
  endpointId: string,
  lock: 'for update of h' | '',
): Promise<LockedHealth | null> {
  // Named, so each connection plans it once (the claim pool's plans are generic: db/pool.ts).
  const { rows } = await db.query<Row>({
    name: lock ? 'lock_health' : 'peek_health',
    text: `select h.*, p.paused_at is not null as paused, p.rate_limit_per_second, p.max_in_flight, p.health_policy,
            p.mailbox_id, (p.enabled and p.deleted_at is null) as active
       from endpoint_health h join endpoint p on p.id = h.endpoint_id
      where h.endpoint_id = $1
        ${lock}`,
    values: [endpointId],
  });
  const row = rows[0];
  if (!row) return null;
  return {
    health: {
      circuitState: row.circuit_state,
      consecutiveFailures: row.consecutive_failures,
      windowStartedAt: row.window_started_at,
      windowAttempts: row.window_attempts,
      windowFailures: row.window_failures,
      openedAt: row.opened_at,
      retryAt: row.retry_at,
      coolDownMs: row.cool_down_ms,
      probeDeliveryId: row.probe_delivery_id,
      failingSince: row.failing_since,
      throttledUntil: row.throttled_until,
      nextSendAt: row.next_send_at,
      inFlight: row.in_flight,
      reason: row.reason,
      changedAt: row.changed_at,
    },
    limits: { paused: row.paused, rateLimitPerSecond: row.rate_limit_per_second, maxInFlight: row.max_in_flight },
    policy: healthPolicyOf(row.health_policy),
    mailboxId: row.mailbox_id,
    active: row.active,
  };
}

/** Writes the health back (under the lock taken by lockHealth). */
export async function saveHealth(db: Queryable, endpointId: string, health: Health, changed: boolean): Promise<void> {
  await db.query(
    `update endpoint_health set circuit_state = $2, consecutive_failures = $3, window_started_at = $4,
            window_attempts = $5, window_failures = $6, opened_at = $7, retry_at = $8, cool_down_ms = $9,
            probe_delivery_id = $10, failing_since = $11, throttled_until = $12, next_send_at = $13, in_flight = $14,
            reason = $15, changed_at = case when $16 then now() else changed_at end
      where endpoint_id = $1`,
    [
      endpointId,
      health.circuitState,
      health.consecutiveFailures,
      health.windowStartedAt,
      health.windowAttempts,
      health.windowFailures,
      health.openedAt,
      health.retryAt,
      health.coolDownMs,
      health.probeDeliveryId,
      health.failingSince,
      health.throttledUntil,
      health.nextSendAt,
      Math.max(0, health.inFlight),
      health.reason,
      changed,
    ],
  );
}

/**
 * A fresh start: the circuit closed and the failure history forgotten (an operator enabled
 * the endpoint again, so whatever disabled it is taken as fixed).
 */
export async function resetHealth(db: Queryable, endpointId: string): Promise<void> {
  await db.query(
    `update endpoint_health set circuit_state = 'closed', consecutive_failures = 0, window_started_at = null,
            window_attempts = 0, window_failures = 0, opened_at = null, retry_at = null, cool_down_ms = null,
            probe_delivery_id = null, failing_since = null, throttled_until = null, reason = null, changed_at = now()
      where endpoint_id = $1`,
    [endpointId],
  );
}
