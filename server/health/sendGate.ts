/**
 * The send gate: whether a delivery a worker already claimed may still be sent
 * (sendVerdict in endpoints/circuit.ts). A job claims up to 50 deliveries of an endpoint
 * at once and sends them a share at a time; without the gate, the rest would go out after
 * the circuit opened, after a 410 disabled the endpoint, or after an operator paused,
 * disabled or deleted it.
 *
 * The check sits on the hot path, so it is a map lookup: the process keeps the state of
 * the endpoints it sends to, read again in one query for all of them every POLL_MS (so a
 * change made by another process is seen within that), and at once when an outcome here
 * changed the endpoint (healthKeeper.ts). Endpoints it has not sent to for a while are
 * forgotten.
 */
import type { Queryable } from '../db/queryable.ts';
import { sendVerdict, type CircuitState, type SendGateState, type SendVerdict } from '../endpoints/circuit.ts';
import { coerceError } from '../errors.ts';
import type { Logger } from '../logger.ts';

/** How often the states of the endpoints being sent to are read again, in ms. */
export const POLL_MS = 500;

/**
 * An endpoint not asked about for this long is forgotten, in ms. Longer than any request
 * (timeouts are at most 60 s): a slow endpoint's turns come seconds apart, and forgetting
 * it between two of them let every turn through unchecked.
 */
const FORGET_AFTER_MS = 120_000;

export interface SendGate {
  /**
   * Send the claimed delivery now, or what to do with it instead. Only what was read after
   * the claim (`claimedAt`, ms) counts: the claim itself saw the endpoint as it was then.
   */
  verdict(endpointId: string, deliveryId: string, claimedAt: number): SendVerdict;
  /** Reads the endpoint's state again now (an outcome here changed it). */
  refresh(endpointId: string): Promise<void>;
  stop(): void;
}

interface Row {
  id: string;
  active: boolean;
  paused: boolean;
  circuit_state: CircuitState | null;
  retry_at: Date | null;
  probe_delivery_id: string | null;
  throttled_until: Date | null;
  reason: string | null;
}

const statesStatement = `
  select p.id, (p.enabled and p.deleted_at is null) as active, p.paused_at is not null as paused,
         h.circuit_state, h.retry_at, h.probe_delivery_id, h.throttled_until, h.reason
    from endpoint p left join endpoint_health h on h.endpoint_id = p.id
   where p.id = any($1::uuid[])`;

export function createSendGate(deps: { db: Queryable; logger: Logger; pollMs?: number }): SendGate {
  /** What is known of each endpoint sent to lately, and when it was read (ms); absent: nothing known against sending. */
  const states = new Map<string, { state: SendGateState; readAt: number }>();
  /** Endpoints asked about lately, and when last (ms): each read covers them. */
  const asked = new Map<string, number>();

  const read = async (ids: string[]) => {
    const readAt = Date.now();
    const { rows } = await deps.db.query<Row>(statesStatement, [ids]);
    const found = new Set(rows.map((row) => row.id));
    for (const id of ids) if (!found.has(id)) states.delete(id);
    for (const row of rows) {
      const state: SendGateState = {
        active: row.active,
        paused: row.paused,
        circuitState: row.circuit_state ?? 'closed',
        retryAt: row.retry_at,
        probeDeliveryId: row.probe_delivery_id,
        throttledUntil: row.throttled_until,
        reason: row.reason,
      };
      // A read that started earlier but ended later does not overwrite a newer one.
      if ((states.get(row.id)?.readAt ?? 0) <= readAt) states.set(row.id, { state, readAt });
    }
  };

  const poll = async () => {
    // Endpoints not sent to for a while are forgotten: their next job claims afresh.
    const now = Date.now();
    for (const [id, at] of asked) if (now - at > FORGET_AFTER_MS) asked.delete(id);
    for (const id of states.keys()) if (!asked.has(id)) states.delete(id);
    if (asked.size > 0) await read([...asked.keys()]);
  };

  let polling: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (polling) return;
    polling = poll()
      .catch((error: unknown) =>
        deps.logger.warn({ err: coerceError(error) }, 'Could not read the state of the endpoints being sent to.'),
      )
      .finally(() => (polling = null));
  }, deps.pollMs ?? POLL_MS);
  timer.unref();

  return {
    verdict(endpointId, deliveryId, claimedAt) {
      asked.set(endpointId, Date.now());
      const known = states.get(endpointId);
      return known && known.readAt > claimedAt ? sendVerdict(known.state, deliveryId, new Date()) : { send: true };
    },
    async refresh(endpointId) {
      asked.set(endpointId, Date.now());
      await read([endpointId]);
    },
    stop: () => clearInterval(timer),
  };
}
