/**
 * The `deliver` task: attempt each delivery of the job once, record the attempt, and
 * either end the delivery or schedule its next attempt. The task owns the retry
 * schedule; graphile-worker's own retries only cover infrastructure failures (a thrown
 * error), after which the claim rules (deliveries/claim.ts) keep attempts from doubling.
 *
 * Follow one delivery: claim → sign → sendAttempt → decide → record. Every change of
 * the delivery's status happens in deliveries/ (claim, recordAttempts).
 *
 * A job carries up to 50 deliveries and graphile-worker runs `concurrency` jobs at once,
 * so requests in flight are bounded separately, across all jobs of the process, by the
 * same number: HOOKPOST_WORKER_CONCURRENCY is the number of requests a worker process
 * has out at once, and memory stays bounded whatever the backlog. One endpoint holds at
 * most its share of those (fairShare.ts).
 */
import type { Task } from 'graphile-worker';
import type { Dispatcher } from 'undici';
import type pg from 'pg';
import type { SecretBox } from '../auth/secretBox.ts';
import type { ChangeBus } from '../db/changeBus.ts';
import { claimDeliveries, type ClaimedDelivery } from '../deliveries/claim.ts';
import { addDeliverJobs, deliverPayloadSchema, type AttemptTrigger } from '../deliveries/deliverJobs.ts';
import type { AttemptDecision } from '../deliveries/recordAttempts.ts';
import { openCustomHeaders } from '../endpoints/customHeaders.ts';
import { retryPolicySchema } from '../endpoints/retryPolicy.ts';
import { coerceError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { AttemptWriter } from './attemptWriter.ts';
import type { FairShare } from './fairShare.ts';
import type { HealthKeeper } from '../health/healthKeeper.ts';
import { redactCustomHeaders } from './responseCapture.ts';
import { nextRetryDelay } from './retrySchedule.ts';
import { sendAttempt, type AttemptOutcome } from './sendAttempt.ts';
import { signatureHeaders } from './signature.ts';
import { HOPS_HEADER } from '../events/hops.ts';
import type { TargetPolicy } from './targetGuard.ts';

/** How long a job put back because its endpoint runs its share waits before it is due again, in ms. */
const DEFER_MS = 1_000;

export const USER_AGENT = 'Hookpost/0.1 (+https://github.com/hookpost/hookpost)';

export interface DeliverTaskDeps {
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
  /** The process's request slots and each endpoint's share of them (fairShare.ts). */
  fairShare: FairShare;
  /** Claims for endpoints that are not plain, and what outcomes do to endpoints (health/). */
  health: Pick<HealthKeeper, 'claim' | 'afterAttempt' | 'exhausted'>;
  /**
   * Called when a job starts, with the id of the worker running it; resolves once that
   * worker shows as alive (worker/liveness.ts), since only then may it claim, with the
   * function to call when the job's work is over (the worker waits for it before its jobs
   * may run elsewhere).
   */
  enter(workerId: string): Promise<() => void>;
}

export function makeDeliverTask(deps: DeliverTaskDeps): Task {
  // What this process is attempting now: never claimed a second time by a job that
  // graphile-worker runs again, or by a duplicate job, while its request is out.
  const inFlight = new Set<string>();
  return async (rawPayload, helpers) => {
    const job = deliverPayloadSchema.parse(rawPayload);
    const workerId = helpers.job.locked_by;
    if (!workerId) throw new Error(`Job ${helpers.job.id} runs without a lock.`);
    // Jobs of earlier releases do not name their endpoint; they count under the job's id.
    const endJob = deps.fairShare.startJob(job.endpointId ?? `job-${helpers.job.id}`);
    if (!endJob) {
      // Its endpoint already runs its share here: back in the queue, for any worker.
      await addDeliverJobs(deps.claimPool, [JSON.stringify(rawPayload)], new Date(Date.now() + DEFER_MS));
      return;
    }
    try {
      const leave = await deps.enter(workerId);
      try {
        await deliverJob(deps, inFlight, workerId, job.trigger, job.deliveries, helpers.abortSignal);
      } finally {
        leave();
      }
    } finally {
      endJob();
    }
  };
}

/** One job: claim what it names, attempt each claimed delivery once, record every attempt. */
async function deliverJob(
  deps: DeliverTaskDeps,
  inFlight: Set<string>,
  workerId: string,
  trigger: AttemptTrigger,
  deliveries: { id: string }[],
  stopping?: AbortSignal,
) {
  const ids = deliveries.map((delivery) => delivery.id).filter((id) => !inFlight.has(id));
  const plain = await claimDeliveries({ db: deps.claimPool, changes: deps.changes }, workerId, ids);
  // An endpoint that is not plain (circuit, pause, limits): its health decides what goes.
  const guarded = plain.guarded.length ? await deps.health.claim(workerId, plain.guarded, trigger) : null;
  for (const id of [...plain.cancelled, ...(guarded?.cancelled ?? [])]) {
    deps.logger.info({ deliveryId: id }, `Delivery ${id} cancelled: its endpoint is disabled or deleted.`);
  }
  const claimed = [
    ...plain.claimed.map((delivery) => ({ delivery, counted: false, report: plain.healthDirty })),
    ...(guarded?.claimed ?? []).map((delivery) => ({ delivery, counted: true, report: true })),
  ];
  for (const { delivery } of claimed) inFlight.add(delivery.id);
  const results = await Promise.allSettled(
    claimed.map(({ delivery, counted, report }) =>
      deliverOne(deps, workerId, delivery, trigger, { counted, report }, stopping).finally(() =>
        inFlight.delete(delivery.id),
      ),
    ),
  );
  const failure = results.find((result) => result.status === 'rejected');
  // Rethrow only after every delivery finished, so none is abandoned mid-request.
  if (failure) throw coerceError(failure.reason);
}

async function deliverOne(
  deps: DeliverTaskDeps,
  workerId: string,
  delivery: ClaimedDelivery,
  trigger: AttemptTrigger,
  /** counted: the endpoint's health counted it in flight; report: its outcome matters to the health even if it succeeds. */
  health: { counted: boolean; report: boolean },
  stopping?: AbortSignal,
) {
  const log = deps.logger.child({
    deliveryId: delivery.id,
    eventId: delivery.eventId,
    endpointId: delivery.endpointId,
  });
  const { headers, customHeaderNames, outcome } = await deps.fairShare.send(delivery.endpointId, async () => {
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
  const decision = decide(delivery, trigger, outcome);
  const recorded = await deps.attempts.submit({
    attemptId: newId(),
    delivery: {
      deliveryId: delivery.id,
      eventId: delivery.eventId,
      mailboxId: delivery.mailboxId,
      endpointId: delivery.endpointId,
    },
    workerId,
    trigger,
    url: delivery.url,
    requestHeaders: redactCustomHeaders(headers, customHeaderNames),
    result: outcome,
    decision,
  });

  deps.metrics.attempts.inc({ outcome: outcome.ok ? 'succeeded' : (outcome.errorKind ?? 'failed') });
  deps.metrics.attemptDuration.observe(outcome.durationMs / 1000);
  if (health.report || !outcome.ok) {
    // The delivery is recorded whatever happens here; the health catches up at the next outcome.
    await deps.health
      .afterAttempt(delivery.endpointId, outcome, health.counted)
      .catch((error: unknown) =>
        log.warn(
          { err: coerceError(error) },
          `Could not note attempt ${recorded.number}'s outcome in the endpoint's health.`,
        ),
      );
  }
  const number = recorded.number;
  const what = outcome.ok ? `delivered (${outcome.statusCode})` : `failed: ${outcome.errorMessage}`;
  if (!recorded.moved) {
    log.warn(
      { attempt: number },
      `Delivery ${delivery.id} attempt ${number} ${what}; recorded, but this worker had lost its claim, so the delivery did not move.`,
    );
    return;
  }
  const next =
    decision.status === 'queued'
      ? `; next attempt in ${decision.retryInMs} ms`
      : decision.status === 'failed'
        ? '; giving up'
        : '';
  log.info(
    { attempt: number, statusCode: outcome.statusCode, durationMs: outcome.durationMs, errorKind: outcome.errorKind },
    `Delivery ${delivery.id} attempt ${number} ${what} in ${outcome.durationMs} ms${next}.`,
  );
  if (recorded.status === 'failed') {
    await deps.health
      .exhausted({
        deliveryId: delivery.id,
        eventId: delivery.eventId,
        endpointId: delivery.endpointId,
        mailboxId: delivery.mailboxId,
        attempts: number,
        statusCode: outcome.statusCode,
        errorKind: outcome.errorKind,
        errorMessage: outcome.errorMessage,
      })
      .catch((error: unknown) =>
        log.warn({ err: coerceError(error) }, `Could not raise delivery.exhausted for delivery ${delivery.id}.`),
      );
  }
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
    // One more pass through Hookpost: a loop back to an ingest URL stops (events/hops.ts).
    [HOPS_HEADER]: String(delivery.hops + 1),
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
function decide(delivery: ClaimedDelivery, trigger: AttemptTrigger, outcome: AttemptOutcome): AttemptDecision {
  if (outcome.ok) return { status: 'delivered' };
  // Cut off by this worker's shutdown, not by the receiver: another worker tries again now.
  if (outcome.errorKind === 'aborted') return { status: 'queued', retryInMs: 0 };
  // Manual and test attempts are one try each; only the scheduled series retries.
  if (trigger !== 'scheduled') return { status: 'failed' };
  const policy = retryPolicySchema.parse(delivery.retryPolicy);
  const retryInMs = nextRetryDelay(policy, delivery.attemptCount + 1, { retryAfterMs: outcome.retryAfterMs });
  return retryInMs === null ? { status: 'failed' } : { status: 'queued', retryInMs };
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}
