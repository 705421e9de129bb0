/**
 * Endpoint health at work, in every worker process: claims for endpoints that are not
 * plain (claimGuarded.ts), what each attempt's outcome does to its endpoint (the circuit
 * opens or closes, the endpoint is disabled, the receiver asked everyone to slow down),
 * and the periodic work (a probe once an open circuit has rested, a probe that never came
 * back, held deliveries to release, in-flight counts to correct). The rules are pure, in
 * endpoints/circuit.ts; this file carries out their consequences: alerts to the system
 * mailbox, disabling (which cancels what waits), releasing held deliveries.
 */
import type pg from 'pg';
import type { ChangeBus } from '../db/changeBus.ts';
import { withTransaction } from '../db/pool.ts';
import type { Claim } from '../deliveries/claim.ts';
import { cancelWaitingDeliveries } from '../deliveries/cancel.ts';
import type { AttemptTrigger } from '../deliveries/deliverJobs.ts';
import { releaseHeld } from '../deliveries/hold.ts';
import { afterAttempts, type AttemptOutcomeSummary, type HealthAlert } from '../endpoints/circuit.ts';
import { coerceError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { AlertSender } from '../alerts/systemMailbox.ts';
import { systemMailboxId } from '../alerts/systemMailbox.ts';
import { keyedLimit } from '../keyedLimit.ts';
import { claimGuarded } from './claimGuarded.ts';
import { lockHealth, saveHealth } from './healthRow.ts';
import { scheduleRelease } from './releaseTask.ts';
import type { SendGate } from './sendGate.ts';

export interface HealthKeeper {
  /**
   * Claims deliveries of one endpoint that is not plain. `requestMs`: how long the
   * endpoint's requests take here, when known (its concurrency limit's places free up at
   * that pace). The endpoint's claims in this process take turns (see `claimTurns`).
   */
  claim(
    workerId: string,
    endpointId: string,
    deliveryIds: string[],
    trigger: AttemptTrigger,
    requestMs?: number | null,
  ): Promise<Claim>;
  /**
   * What an attempt's outcome does to its endpoint. (Its place in the endpoint's requests in
   * flight, if counted, frees up when the attempt is recorded: deliveries/recordAttempts.ts.)
   */
  afterAttempt(endpointId: string, outcome: AttemptOutcomeSummary): Promise<void>;
  /** A delivery ended failed: `delivery.exhausted` goes to the system mailbox. */
  exhausted(delivery: ExhaustedDelivery): Promise<void>;
  /** The periodic work (run on one worker at a time). */
  tick(): Promise<void>;
}

export interface ExhaustedDelivery {
  deliveryId: string;
  eventId: string;
  endpointId: string;
  mailboxId: string;
  attempts: number;
  statusCode: number | null;
  errorKind: string | null;
  errorMessage: string | null;
}

export interface HealthKeeperDeps {
  /** Durable writes (disabling, alerts). */
  pool: pg.Pool;
  /** Claims and health rows. */
  claimPool: pg.Pool;
  changes: Pick<ChangeBus, 'publish'>;
  /** Told when an endpoint is disabled, so ingest stops routing to it. */
  routes: { changed(mailboxId: string): void };
  alerts: AlertSender;
  logger: Logger;
  /** This process's view of endpoints being sent to: told at once when an outcome here changes one. */
  gate: Pick<SendGate, 'refresh'>;
}

/** A probe that has not come back after this long is taken as lost, in ms. */
const LOST_PROBE_MS = 120_000;

export function createHealthKeeper(deps: HealthKeeperDeps): HealthKeeper {
  const { logger } = deps;
  let systemMailbox: Promise<string> | null = null;
  const isSystemMailbox = async (mailboxId: string) => {
    systemMailbox ??= systemMailboxId(deps.pool).catch((error: unknown) => {
      systemMailbox = null;
      throw error;
    });
    return mailboxId === (await systemMailbox);
  };

  const alert = async (type: HealthAlert, endpointId: string, mailboxId: string, reason: string | null) => {
    // The system mailbox's own endpoints do not raise alerts: they would feed themselves.
    if (await isSystemMailbox(mailboxId)) return;
    const { rows } = await deps.pool.query<{ url: string }>('select url from endpoint where id = $1', [endpointId]);
    await deps.alerts.send(type, { endpoint_id: endpointId, mailbox_id: mailboxId, url: rows[0]?.url, reason });
  };

  const disable = async (endpointId: string, mailboxId: string, reason: string) => {
    const { rowCount } = await deps.pool.query(
      `update endpoint set enabled = false, disabled_at = now(), disabled_reason = $2, updated_at = now()
        where id = $1 and enabled`,
      [endpointId, reason],
    );
    if (!rowCount) return;
    deps.routes.changed(mailboxId);
    await cancelWaitingDeliveries({ db: deps.pool, changes: deps.changes }, [endpointId]);
    logger.warn({ endpointId, reason }, `Endpoint ${endpointId} disabled: ${reason}`);
  };

  /** Outcomes of one endpoint waiting to be noted, and the promise their callers wait for. */
  interface Batch {
    outcomes: AttemptOutcomeSummary[];
    noted: Promise<void>;
    settle(error?: unknown): void;
  }
  const newBatch = (): Batch => {
    let settle!: (error?: unknown) => void;
    const noted = new Promise<void>((resolve, reject) => {
      settle = (error) => (error === undefined ? resolve() : reject(coerceError(error)));
    });
    return { outcomes: [], noted, settle };
  };
  const waiting = new Map<string, Batch>();
  /** Endpoints whose outcomes are being written now. */
  const noting = new Set<string>();

  const noteAll = async (endpointId: string) => {
    noting.add(endpointId);
    try {
      for (let batch = waiting.get(endpointId); batch; batch = waiting.get(endpointId)) {
        waiting.delete(endpointId);
        await note(endpointId, batch.outcomes).then(
          () => batch!.settle(),
          (error: unknown) => batch!.settle(error ?? new Error('Could not note the outcomes.')),
        );
      }
    } finally {
      noting.delete(endpointId);
    }
  };

  /** What a batch of outcomes does to their endpoint, in one transaction, and what follows from it. */
  const note = async (endpointId: string, outcomes: AttemptOutcomeSummary[]) => {
    const noted = await withTransaction(deps.claimPool, async (client) => {
      const locked = await lockHealth(client, endpointId);
      if (!locked) return null;
      const after = afterAttempts(locked.health, outcomes, locked.policy, new Date());
      await saveHealth(client, endpointId, after.health, after.moved);
      if (after.health.circuitState === 'closed' && after.moved) await scheduleRelease(client, endpointId);
      const throttled = after.health.throttledUntil?.getTime() !== locked.health.throttledUntil?.getTime();
      return { ...after, throttled, mailboxId: locked.mailboxId };
    });
    if (!noted) return;
    // What this job and the others here still hold for the endpoint must not go out as if
    // nothing happened. (When disabling, the gate reads the endpoint once that is done.)
    const refreshed = !noted.disable && (noted.moved || noted.throttled) ? deps.gate.refresh(endpointId) : null;
    if (noted.moved || noted.disable)
      deps.changes.publish({ kind: 'endpoint', endpointId, mailboxId: noted.mailboxId });
    if (noted.moved) {
      logger.warn(
        { endpointId, circuit: noted.health.circuitState, reason: noted.health.reason },
        `Endpoint ${endpointId}'s circuit is ${noted.health.circuitState.replace('_', '-')}: ${noted.health.reason ?? ''}`,
      );
    }
    if (noted.disable) {
      await disable(endpointId, noted.mailboxId, noted.disable);
      await deps.gate.refresh(endpointId);
    }
    await refreshed;
    for (const type of noted.alerts) {
      await alert(
        type,
        endpointId,
        noted.mailboxId,
        type === 'endpoint.disabled' ? noted.disable : noted.health.reason,
      );
    }
  };

  /**
   * Per endpoint, its guarded claims in this process, one at a time, before any takes a
   * connection: in the database they wait for the endpoint's health row lock anyway, and
   * each waited holding one of the claim pool's connections. A tarpit's jobs, arriving
   * together, took them all, and healthy endpoints' claims waited behind them
   * (docs/performance-history.md, run Z).
   */
  const claimTurns = keyedLimit(1);

  return {
    claim: (workerId, endpointId, deliveryIds, trigger, requestMs) =>
      claimTurns(endpointId, () =>
        claimGuarded({ claimPool: deps.claimPool, changes: deps.changes }, workerId, deliveryIds, trigger, requestMs),
      ),

    afterAttempt(endpointId, outcome) {
      // Outcomes that arrive while the endpoint's previous ones are being written wait and
      // go together in the next transaction: one lock of the health row per batch, not per
      // attempt (a failing endpoint's attempts all queued on that row lock, and held the
      // worker's connections meanwhile).
      let batch = waiting.get(endpointId);
      if (!batch) {
        batch = newBatch();
        waiting.set(endpointId, batch);
      }
      batch.outcomes.push(outcome);
      if (!noting.has(endpointId)) void noteAll(endpointId);
      return batch.noted;
    },

    async exhausted(delivery) {
      if (await isSystemMailbox(delivery.mailboxId)) return;
      await deps.alerts.send('delivery.exhausted', {
        delivery_id: delivery.deliveryId,
        event_id: delivery.eventId,
        endpoint_id: delivery.endpointId,
        mailbox_id: delivery.mailboxId,
        attempts: delivery.attempts,
        last_status_code: delivery.statusCode,
        last_error_kind: delivery.errorKind,
        last_error: delivery.errorMessage,
      });
    },

    async tick() {
      // Open circuits whose rest is over, with deliveries held: release one as the probe.
      const { rows: rested } = await deps.claimPool.query<{ endpoint_id: string }>(
        `select h.endpoint_id from endpoint_health h join endpoint p on p.id = h.endpoint_id
          where h.circuit_state = 'open' and h.retry_at <= now() and h.held_from is not null and p.paused_at is null
            and p.enabled and p.deleted_at is null
          order by h.retry_at limit 100`,
      );
      // Probes that never came back (a worker died with one): the circuit rests again.
      const { rows: lost } = await deps.claimPool.query<{ endpoint_id: string }>(
        `update endpoint_health set circuit_state = 'open', retry_at = now(), probe_delivery_id = null, changed_at = now(),
                reason = 'The probe delivery did not come back; another goes.'
          where circuit_state = 'half_open'
            and (changed_at < now() - make_interval(secs => $1)
                 -- The probe will not go: held (paused meanwhile, given back by the send gate) or cancelled.
                 or not exists (select 1 from delivery d
                                 where d.id = endpoint_health.probe_delivery_id and d.status not in ('held', 'cancelled')))
      returning endpoint_id`,
        [LOST_PROBE_MS / 1000],
      );
      for (const { endpoint_id: endpointId } of [...rested, ...lost]) {
        try {
          await withTransaction(deps.claimPool, async (client) => {
            const locked = await lockHealth(client, endpointId);
            // A paused endpoint's probe would only be held: it goes once the endpoint is resumed.
            if (!locked || !locked.active || locked.limits.paused || locked.health.circuitState !== 'open') return;
            if (!locked.health.retryAt || locked.health.retryAt > new Date()) return;
            const [probe] = await releaseHeld({ db: client, changes: deps.changes }, endpointId, 1);
            if (!probe) return;
            await saveHealth(
              client,
              endpointId,
              {
                ...locked.health,
                circuitState: 'half_open',
                probeDeliveryId: probe.deliveryId,
                reason: 'A probe delivery is on its way.',
              },
              true,
            );
            deps.changes.publish({ kind: 'endpoint', endpointId, mailboxId: locked.mailboxId });
          });
        } catch (error) {
          logger.warn(
            { err: coerceError(error), endpointId },
            `Could not send a probe to endpoint ${endpointId}; will try again.`,
          );
        }
      }
      // Endpoints that can take deliveries again but still hold some (a lost release job…).
      const { rows: releasable } = await deps.claimPool.query<{ endpoint_id: string }>(
        `select h.endpoint_id from endpoint_health h join endpoint p on p.id = h.endpoint_id
          where h.held_from is not null and h.circuit_state = 'closed' and p.paused_at is null
            and p.enabled and p.deleted_at is null
          limit 100`,
      );
      for (const { endpoint_id: endpointId } of releasable) await scheduleRelease(deps.claimPool, endpointId);
      // Requests in flight for concurrency-limited endpoints, counted again from the deliveries
      // (a worker that died while counted would otherwise keep its places). Each counted under
      // its row's lock, in a statement after taking it: claims and records change the count
      // under the same lock, and a count from a snapshot taken before a claim committed would
      // miss its deliveries and let more through than the limit. One row per transaction, so
      // the tick never holds one lock while waiting for another.
      const { rows: limited } = await deps.claimPool.query<{ endpoint_id: string }>(
        `select h.endpoint_id from endpoint_health h join endpoint p on p.id = h.endpoint_id
          where p.max_in_flight is not null and p.deleted_at is null`,
      );
      for (const { endpoint_id: endpointId } of limited) {
        await withTransaction(deps.claimPool, async (client) => {
          await client.query('select 1 from endpoint_health where endpoint_id = $1 for update', [endpointId]);
          // Counted by a claim: out with a live worker, or given back a moment ago and about to
          // be freed (deliveries/giveBack.ts). A dead worker's, or one given back long ago, holds no place.
          await client.query(
            `update endpoint_health h set in_flight = (
                select count(*) from delivery d
                 where d.endpoint_id = h.endpoint_id and d.in_flight_counted
                   and ((d.status = 'delivering' and exists (select 1 from worker_heartbeat w where w.worker_id = d.claimed_by))
                        or (d.status <> 'delivering' and d.updated_at > now() - interval '1 minute')))
              where h.endpoint_id = $1`,
            [endpointId],
          );
        });
      }
    },
  };
}
