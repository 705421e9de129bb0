/**
 * The `deliver` task: attempt each delivery of the job once, record the attempt, and
 * either end the delivery or schedule its next attempt. The task owns the retry
 * schedule; graphile-worker's own retries only cover infrastructure failures (a thrown
 * error), after which the claim rules (deliveries/claim.ts) keep attempts from doubling.
 *
 * Follow one delivery: claim → wait for a request slot → the gate (has its endpoint
 * changed since the claim? health/sendGate.ts) → sign → sendAttempt → decide → record →
 * the endpoint's health. Every change of the delivery's status happens in deliveries/
 * (claim, recordAttempts, giveBack).
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
import { deliverPayloadSchema, type AttemptTrigger } from '../deliveries/deliverJobs.ts';
import { giveBackClaims, type GiveBack } from '../deliveries/giveBack.ts';
import { rememberTrigger } from '../deliveries/orderingLine.ts';
import type { AttemptDecision } from '../deliveries/recordAttempts.ts';
import { openCustomHeaders } from '../endpoints/customHeaders.ts';
import { retryPolicySchema } from '../endpoints/retryPolicy.ts';
import { coerceError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { AttemptWriter } from './attemptWriter.ts';
import type { FairShare } from './fairShare.ts';
import type { PutBack } from './putBack.ts';
import type { HealthKeeper } from '../health/healthKeeper.ts';
import type { SendGate } from '../health/sendGate.ts';
import { redactCustomHeaders } from './responseCapture.ts';
import { nextRetryDelay } from './retrySchedule.ts';
import { sendAttempt, type AttemptOutcome } from './sendAttempt.ts';
import { signatureHeaders } from './signature.ts';
import { HOPS_HEADER } from '../events/hops.ts';
import type { TargetPolicy } from './targetGuard.ts';
import type { AttemptTracing } from '../tracing/attemptSpans.ts';
import type { TraceCarrier } from '../tracing/traceContext.ts';

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
  /** Jobs beyond their endpoint's share, back in the queue until a turn is free (putBack.ts). */
  putBack: PutBack;
  /** Claims for endpoints that are not plain, and what outcomes do to endpoints (health/). */
  health: Pick<HealthKeeper, 'claim' | 'afterAttempt' | 'exhausted'>;
  /** Whether a claimed delivery may still go when its turn comes (its endpoint may have changed since). */
  gate: Pick<SendGate, 'verdict'>;
  /** A span per attempt, in its event's trace; absent when tracing is off. */
  tracing?: AttemptTracing;
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
    const endpointKey = job.endpointId ?? `job-${helpers.job.id}`;
    deps.putBack.started(endpointKey, helpers.job.id);
    // A bulk replay's job never waits in a worker slot: live jobs may need it.
    const endJob = await deps.fairShare.startJob(endpointKey, { mayWait: job.trigger !== 'replay' });
    if (!endJob) {
      // Its endpoint already runs its share here: back in the queue, for any worker, due when a turn should be free.
      await deps.putBack.job(endpointKey, JSON.stringify(rawPayload));
      return;
    }
    try {
      const leave = await deps.enter(workerId);
      try {
        await deliverJob(deps, inFlight, workerId, endpointKey, job.trigger, job.deliveries, helpers.abortSignal);
      } finally {
        leave();
      }
    } finally {
      endJob();
      // Room for more of the endpoint's jobs here: those put back for later may come now.
      deps.putBack.ended(endpointKey);
    }
  };
}

/** One job: claim what it names, attempt each claimed delivery once, record every attempt. */
async function deliverJob(
  deps: DeliverTaskDeps,
  inFlight: Set<string>,
  workerId: string,
  /** The endpoint the job's deliveries go to (fairShare.ts's key for it). */
  endpointKey: string,
  trigger: AttemptTrigger,
  deliveries: { id: string }[],
  stopping?: AbortSignal,
) {
  const ids = deliveries.map((delivery) => delivery.id).filter((id) => !inFlight.has(id));
  const claimedAt = Date.now();
  const plain = await claimDeliveries({ db: deps.claimPool, changes: deps.changes }, workerId, ids);
  // An endpoint that is not plain (circuit, pause, limits): its health decides what goes.
  const guarded = plain.guarded.length
    ? await deps.health.claim(
        workerId,
        endpointKey,
        plain.guarded,
        trigger,
        deps.fairShare.typicalRequestMs(endpointKey),
      )
    : null;
  for (const id of [...plain.cancelled, ...(guarded?.cancelled ?? [])]) {
    deps.logger.info({ deliveryId: id }, `Delivery ${id} cancelled: its endpoint is disabled or deleted.`);
  }
  // Those left behind their ordering key's line get this job's kind of attempt when their turn comes.
  if (trigger !== 'scheduled') {
    const taken = new Set([
      ...plain.claimed.map((d) => d.id),
      ...(guarded?.claimed ?? []).map((d) => d.id),
      ...plain.cancelled,
      ...(guarded?.cancelled ?? []),
    ]);
    await rememberTrigger(
      deps.claimPool,
      ids.filter((id) => !taken.has(id)),
      trigger,
    ).catch(() => undefined); // Lost: their turn is a scheduled attempt instead, nothing worse.
  }
  // Two jobs of this process that name one delivery (a duplicate job: the next of an
  // ordering key's line is given one whether or not it has one) can both claim it, since a
  // claim takes back what this worker holds; the one that did not take it first here
  // leaves it. Checked and taken in one synchronous step.
  const claimed = [
    ...plain.claimed.map((delivery) => ({ delivery, report: plain.healthDirty })),
    ...(guarded?.claimed ?? []).map((delivery) => ({ delivery, report: true })),
  ].filter(({ delivery }) => !inFlight.has(delivery.id));
  for (const { delivery } of claimed) inFlight.add(delivery.id);
  const traces = deps.tracing && (await deps.tracing.contextsOf(claimed.map(({ delivery }) => delivery.eventId)));
  const results = await Promise.allSettled(
    claimed.map(({ delivery, report }) =>
      deliverOne(
        deps,
        workerId,
        delivery,
        attemptTrigger(trigger, delivery),
        report,
        traces?.get(delivery.eventId),
        claimedAt,
        stopping,
      ).finally(() => inFlight.delete(delivery.id)),
    ),
  );
  // Those not sent because their endpoint changed since the claim: given back, no attempt made.
  const returned = results.flatMap((result, i) =>
    result.status === 'fulfilled' && result.value ? [{ id: claimed[i]!.delivery.id, to: result.value }] : [],
  );
  if (returned.length > 0) {
    const endpointId = claimed[0]!.delivery.endpointId;
    await giveBackClaims({ db: deps.claimPool, changes: deps.changes }, workerId, trigger, returned);
    deps.logger.info(
      { endpointId, deliveries: returned.length },
      `${returned.length} claimed deliveries not sent: their endpoint changed since they were claimed.`,
    );
  }
  const failure = results.find((result) => result.status === 'rejected');
  // Rethrow only after every delivery finished, so none is abandoned mid-request.
  if (failure) throw coerceError(failure.reason);
}

async function deliverOne(
  deps: DeliverTaskDeps,
  workerId: string,
  delivery: ClaimedDelivery,
  trigger: AttemptTrigger,
  /** Whether its outcome matters to the endpoint's health even if it succeeds. */
  report: boolean,
  /** Its event's trace context (when tracing is on and the event has one). */
  eventTrace: TraceCarrier | undefined,
  /** When its claim was made (ms): only endpoint changes seen after it stop the delivery. */
  claimedAt: number,
  stopping?: AbortSignal,
): Promise<GiveBack | undefined> {
  const turn = await deps.fairShare.send(delivery.endpointId, async () => {
    // Checked when its turn comes: the endpoint may have changed while it waited.
    const verdict = deps.gate.verdict(delivery.endpointId, delivery.id, claimedAt);
    if (!('send' in verdict)) return { giveBack: verdict };
    // Signed when a request slot is free, so the signature's timestamp is fresh when it leaves.
    const signed = signedHeaders(deps, delivery);
    const span = deps.tracing?.start(
      {
        deliveryId: delivery.id,
        eventId: delivery.eventId,
        endpointId: delivery.endpointId,
        url: delivery.url,
        number: delivery.attemptCount + 1,
        trigger,
      },
      eventTrace,
    );
    if (span) signed.headers = { ...signed.headers, ...span.headers };
    const outcome = await sendAttempt(
      deps.agent,
      deps.targetPolicy,
      { url: delivery.url, headers: signed.headers, body: delivery.body, timeoutMs: delivery.timeoutMs },
      stopping,
    );
    span?.end(outcome);
    deps.fairShare.outcome(delivery.endpointId, outcome);
    // A failure is told to the endpoint's health before the endpoint's next request may
    // leave: if it opens the circuit or disables the endpoint (410), the deliveries still
    // waiting for a turn see it (the gate) and are not sent. (Recorded just after: the
    // health does not need the record, and a failing endpoint's slots are held no longer.)
    const healthNoted = outcome.ok ? false : (await noteHealth(deps, delivery, outcome), true);
    return { ...signed, outcome, healthNoted, traceId: span?.traceId };
  });
  if ('giveBack' in turn) return turn.giveBack;
  await settleAttempt(deps, workerId, delivery, trigger, report, turn);
  return undefined;
}

/** Tells the endpoint's health an attempt's outcome; the delivery moves whatever happens here. */
async function noteHealth(deps: DeliverTaskDeps, delivery: ClaimedDelivery, outcome: AttemptOutcome): Promise<void> {
  await deps.health
    .afterAttempt(delivery.endpointId, outcome)
    .catch((error: unknown) =>
      deps.logger.warn(
        { err: coerceError(error), deliveryId: delivery.id, endpointId: delivery.endpointId },
        `Could not note delivery ${delivery.id}'s attempt in the endpoint's health; the next outcome will.`,
      ),
    );
}

interface SentAttempt {
  headers: Record<string, string>;
  customHeaderNames: string[];
  outcome: AttemptOutcome;
  /** Whether the endpoint's health was told already. */
  healthNoted: boolean;
  /** The attempt span's trace, when tracing is on: its log lines carry it. */
  traceId: string | undefined;
}

/** After a request: record the attempt, move the delivery, tell the endpoint's health (if not yet), log. */
async function settleAttempt(
  deps: DeliverTaskDeps,
  workerId: string,
  delivery: ClaimedDelivery,
  trigger: AttemptTrigger,
  report: boolean,
  { headers, customHeaderNames, outcome, healthNoted, traceId }: SentAttempt,
): Promise<void> {
  const log = deps.logger.child({
    deliveryId: delivery.id,
    eventId: delivery.eventId,
    endpointId: delivery.endpointId,
    ...(traceId && { traceId }),
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
    ordered: delivery.orderingKey !== null,
  });

  deps.metrics.attempts.inc({ outcome: outcome.ok ? 'succeeded' : (outcome.errorKind ?? 'failed') });
  deps.metrics.attemptDuration.observe(outcome.durationMs / 1000);
  if (!healthNoted && (report || !outcome.ok)) await noteHealth(deps, delivery, outcome);
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

/**
 * The kind of attempt a claimed delivery gets: the job's, unless the job is the retry
 * policy's and a manual (replay, test) job that could not claim it before asked for its
 * kind (deliveries/orderingLine.ts rememberTrigger: its ordering key's line was busy).
 */
function attemptTrigger(jobTrigger: AttemptTrigger, delivery: ClaimedDelivery): AttemptTrigger {
  return jobTrigger === 'scheduled' ? (delivery.waitingTrigger ?? 'scheduled') : jobTrigger;
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
