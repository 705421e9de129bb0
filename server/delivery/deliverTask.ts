/**
 * The `deliver` task: attempt each delivery of the job once, record the attempt, and
 * either end the delivery or schedule its next attempt. The task owns the retry
 * schedule; graphile-worker's own retries only cover infrastructure failures (a thrown
 * error), after which the fencing in claimDeliveries keeps attempts from doubling.
 *
 * Follow one delivery: claim → sign → sendAttempt → decide → recordAttempt.
 *
 * A job carries up to 50 deliveries and graphile-worker runs `concurrency` jobs at once,
 * so requests in flight are bounded separately, across all jobs of the process, by the
 * same number: HOOKPOST_WORKER_CONCURRENCY is the number of requests a worker process
 * has out at once, and memory stays bounded whatever the backlog.
 */
import { newId } from '../ids.ts';
import type { Task } from 'graphile-worker';
import pLimit, { type LimitFunction } from 'p-limit';
import type { Dispatcher } from 'undici';
import type pg from 'pg';
import type { SecretBox } from '../auth/secretBox.ts';
import type { ChangeBus } from '../db/changeBus.ts';
import { openCustomHeaders } from './customHeaders.ts';
import { coerceError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { retryPolicySchema } from './retryPolicy.ts';
import type { Metrics } from '../metrics.ts';
import { deliverPayload, deliverPayloadSchema, type AttemptTrigger } from './deliverJob.ts';
import { redactSensitive } from './responseCapture.ts';
import { nextRetryDelay } from './retrySchedule.ts';
import { sendAttempt, type AttemptOutcome } from './sendAttempt.ts';
import { signatureHeaders } from './signature.ts';
import type { AttemptWriter } from './attemptWriter.ts';
import { cancelDelivery } from './sql/cancelDelivery.ts';
import { claimDeliveries, type ClaimedDelivery } from './sql/claimDeliveries.ts';
import type { AttemptRecord } from './sql/recordAttempts.ts';
import type { TargetPolicy } from './targetGuard.ts';

export const USER_AGENT = 'Hookpost/0.1 (+https://github.com/hookpost/hookpost)';

export interface DeliverTaskDeps {
  /** Durable writes: cancellations. */
  pool: pg.Pool;
  /**
   * Claims: a pool whose commits do not wait for the WAL flush. Losing a claim in a
   * database crash only sends the delivery back to `queued`; its job is still there.
   */
  claimPool: pg.Pool;
  /** Durable, grouped writes of attempt records. */
  attempts: AttemptWriter;
  logger: Logger;
  secretBox: SecretBox;
  agent: Dispatcher;
  targetPolicy: TargetPolicy;
  metrics: Metrics;
  changes: ChangeBus;
  /** Requests one worker process has in flight at most (HOOKPOST_WORKER_CONCURRENCY). */
  maxInFlight: number;
}

export function makeDeliverTask(deps: DeliverTaskDeps): Task {
  const sending = pLimit(deps.maxInFlight);
  return async (rawPayload, helpers) => {
    const job = deliverPayloadSchema.parse(rawPayload);
    const claimed = await claimDeliveries(deps.claimPool, job.deliveries);
    for (const delivery of claimed) publish(deps, delivery, 'delivering', null);
    const results = await Promise.allSettled(
      claimed.map((delivery) => deliverOne(deps, sending, delivery, job.trigger, helpers.abortSignal)),
    );
    const failure = results.find((result) => result.status === 'rejected');
    // Rethrow only after every delivery finished, so none is abandoned mid-request.
    if (failure) throw coerceError(failure.reason);
  };
}

async function deliverOne(
  deps: DeliverTaskDeps,
  sending: LimitFunction,
  delivery: ClaimedDelivery,
  trigger: AttemptTrigger,
  stopping?: AbortSignal,
) {
  const number = delivery.attemptCount + 1;
  const log = deps.logger.child({
    deliveryId: delivery.id,
    eventId: delivery.eventId,
    endpointId: delivery.endpointId,
    attempt: number,
  });

  if (!delivery.endpointActive) {
    await cancelDelivery(deps.pool, delivery.id);
    publish(deps, delivery, 'cancelled', null);
    log.info(`Delivery ${delivery.id} cancelled: its endpoint is disabled or deleted.`);
    return;
  }

  const { headers, customHeaderNames, outcome } = await sending(async () => {
    // Signed when a request slot is free, so the signature's timestamp is fresh when it leaves.
    const signed = signedHeaders(deps, delivery);
    const sent = await sendAttempt(
      deps.agent,
      deps.targetPolicy,
      { url: delivery.url, headers: signed.headers, body: delivery.body, timeoutMs: delivery.timeoutMs },
      stopping,
    );
    return { ...signed, outcome: sent };
  });
  const record = decide(delivery, number, trigger, outcome);
  const recorded = await deps.attempts.submit({
    ...record,
    attemptId: newId(),
    deliveryId: delivery.id,
    number,
    trigger,
    url: delivery.url,
    requestHeaders: redactSensitive(headers, customHeaderNames),
    outcome,
  });
  if (!recorded) {
    log.warn(
      `Delivery ${delivery.id} attempt ${number} was not recorded: the delivery had moved on (its job ran twice).`,
    );
    return;
  }

  publish(deps, delivery, record.status, number);
  deps.metrics.attempts.inc({ outcome: outcome.ok ? 'succeeded' : (outcome.errorKind ?? 'failed') });
  deps.metrics.attemptDuration.observe(outcome.durationMs / 1000);
  const what = outcome.ok ? `delivered (${outcome.statusCode})` : `failed: ${outcome.errorMessage}`;
  const next = record.retry
    ? `; next attempt in ${record.retry.delayMs} ms`
    : record.status === 'failed'
      ? '; giving up'
      : '';
  log.info(
    { statusCode: outcome.statusCode, durationMs: outcome.durationMs, errorKind: outcome.errorKind },
    `Delivery ${delivery.id} attempt ${number} ${what} in ${outcome.durationMs} ms${next}.`,
  );
}

/** The request's headers: the endpoint's custom ones, then content type, user agent and the Standard Webhooks signature. */
function signedHeaders(
  deps: DeliverTaskDeps,
  delivery: ClaimedDelivery,
): { headers: Record<string, string>; customHeaderNames: string[] } {
  const customHeaders = openCustomHeaders(deps.secretBox, delivery.sealedHeaders);
  const headers: Record<string, string> = {
    ...lowerCaseKeys(customHeaders),
    'content-type': delivery.contentType,
    'user-agent': USER_AGENT,
    ...signatureHeaders({
      messageId: delivery.id,
      timestampSeconds: Math.floor(Date.now() / 1000),
      body: delivery.body,
      secrets: delivery.sealedSecrets.map((sealed) => deps.secretBox.open(sealed)),
    }),
  };
  return { headers, customHeaderNames: Object.keys(customHeaders) };
}

/** What follows an attempt: delivered, a scheduled retry, or failed for good. */
function decide(
  delivery: ClaimedDelivery,
  number: number,
  trigger: AttemptTrigger,
  outcome: AttemptOutcome,
): Pick<AttemptRecord, 'status' | 'retry'> {
  if (outcome.ok) return { status: 'delivered', retry: null };
  // Manual and test attempts are one try each; only the scheduled series retries.
  if (trigger !== 'scheduled') return { status: 'failed', retry: null };
  const policy = retryPolicySchema.parse(delivery.retryPolicy);
  const delayMs = nextRetryDelay(policy, number, { retryAfterMs: outcome.retryAfterMs });
  if (delayMs === null) return { status: 'failed', retry: null };
  return {
    status: 'queued',
    retry: {
      delayMs,
      payload: deliverPayload({ trigger: 'scheduled', deliveries: [{ id: delivery.id, attempt: number + 1 }] }),
    },
  };
}

function publish(deps: DeliverTaskDeps, delivery: ClaimedDelivery, status: string, attempt: number | null) {
  deps.changes.publish({
    kind: 'delivery',
    deliveryId: delivery.id,
    eventId: delivery.eventId,
    mailboxId: delivery.mailboxId,
    endpointId: delivery.endpointId,
    status,
    attempt,
  });
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}
