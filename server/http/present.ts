/**
 * How REST shows things: snake_case fields, as in the original API. One function per
 * thing, so every route shows a mailbox or an event the same way.
 */
import { isUtf8 } from 'node:buffer';
import type { Actor } from '../auth/roles.ts';
import { hasRole } from '../auth/roles.ts';
import type {
  ApiKey,
  Attempt,
  Delivery,
  Endpoint,
  Erasure,
  Event,
  Mailbox,
  Replay,
} from '../db/generated/prisma/client.ts';
import type { EndpointActivity, EndpointHealthView } from '../health/healthQueries.ts';
import { openCustomHeaders } from '../endpoints/customHeaders.ts';
import { healthPolicyOf } from '../endpoints/healthPolicy.ts';
import { retryPolicySchema } from '../endpoints/retryPolicy.ts';
import { shownStatusReason } from '../events/waitingInLine.ts';
import type { Runtime } from '../runtime.ts';

const iso = (date: Date | null | undefined) => (date ? date.toISOString() : null);

export function presentMailbox(mailbox: Mailbox, firstEndpoint?: Pick<Endpoint, 'url'> | null) {
  return {
    id: mailbox.id,
    name: mailbox.name,
    target_url: firstEndpoint?.url ?? null,
    created_at: iso(mailbox.createdAt)!,
    deleted_at: iso(mailbox.deletedAt),
    retention_days: mailbox.retentionDays,
  };
}

export function presentApiKey(key: ApiKey) {
  return {
    id: key.id,
    mailbox_id: key.mailboxId,
    name: key.name,
    prefix: key.prefix,
    created_at: iso(key.createdAt)!,
    revoked_at: iso(key.revokedAt),
  };
}

export function presentRetryPolicy(raw: unknown) {
  const policy = retryPolicySchema.parse(raw);
  return {
    preset: policy.preset,
    max_attempts: policy.maxAttempts,
    base_delay_ms: policy.baseDelayMs,
    factor: policy.factor,
    max_delay_ms: policy.maxDelayMs,
    jitter: policy.jitter,
    schedule: policy.schedule,
  };
}

/** The health policy in effect (the defaults fill in what was not set), in REST's words. */
export function presentHealthPolicy(stored: unknown) {
  const policy = healthPolicyOf(stored);
  return {
    failure_threshold: policy.failureThreshold,
    failure_rate_percent: policy.failureRatePercent,
    window_ms: policy.windowMs,
    min_attempts: policy.minAttempts,
    cool_down_ms: policy.coolDownMs,
    max_cool_down_ms: policy.maxCoolDownMs,
    disable_after_ms: policy.disableAfterMs,
  };
}

/** Viewers see which custom headers are sent, operators also their values. */
export function presentEndpoint(rt: Pick<Runtime, 'secretBox'>, endpoint: Endpoint, actor: Actor | null) {
  const headers = openCustomHeaders(rt.secretBox, endpoint.sealedHeaders);
  const showValues = hasRole(actor, 'operator');
  return {
    id: endpoint.id,
    mailbox_id: endpoint.mailboxId,
    url: endpoint.url,
    description: endpoint.description,
    event_types: endpoint.eventTypes,
    headers: Object.fromEntries(
      Object.entries(headers).map(([name, value]) => [name, showValues ? value : '[hidden]']),
    ),
    timeout_ms: endpoint.timeoutMs,
    retry_policy: presentRetryPolicy(endpoint.retryPolicy),
    enabled: endpoint.enabled,
    paused_at: iso(endpoint.pausedAt),
    disabled_at: iso(endpoint.disabledAt),
    disabled_reason: endpoint.disabledReason,
    rate_limit_per_second: endpoint.rateLimitPerSecond,
    max_in_flight: endpoint.maxInFlight,
    health_policy: presentHealthPolicy(endpoint.healthPolicy),
    ordered_by_key: endpoint.orderedByKey,
    ordering_key_field: endpoint.orderingKeyField,
    created_at: iso(endpoint.createdAt)!,
    updated_at: iso(endpoint.updatedAt)!,
    deleted_at: iso(endpoint.deletedAt),
  };
}

type DeliveryWithUrl = Delivery & { endpoint: { url: string } };

/** `waiting`: the deliveries known to wait behind their ordering key (events/waitingInLine.ts), which say so. */
export function presentDelivery(delivery: DeliveryWithUrl, waiting: ReadonlySet<string> = new Set()) {
  return {
    id: delivery.id,
    endpoint_id: delivery.endpointId,
    target_url: delivery.endpoint.url,
    status: delivery.status,
    attempt_count: delivery.attemptCount,
    last_attempt_at: iso(delivery.lastAttemptAt),
    last_status_code: delivery.lastStatusCode,
    next_attempt_at: iso(delivery.nextAttemptAt),
    status_reason: shownStatusReason(delivery, waiting),
    ordering_key: delivery.orderingKey,
  };
}

/** An event as the original `GET /api/webhooks` listed it, plus its deliveries. */
export function presentEvent(
  event: Omit<Event, 'body'> & { mailbox: { name: string }; deliveries: DeliveryWithUrl[] },
  waiting: ReadonlySet<string> = new Set(),
) {
  return {
    tracking_number: event.id,
    mailbox_id: event.mailboxId,
    mailbox_name: event.mailbox.name,
    target_url: event.deliveries[0]?.endpoint.url ?? null,
    event_type: event.eventType,
    status: event.status,
    attempt_count: event.attemptCount,
    last_attempt_at: iso(event.lastAttemptAt),
    received_at: iso(event.receivedAt)!,
    erased_at: iso(event.erasedAt),
    ordering_key: event.orderingKey,
    deliveries: event.deliveries.map((delivery) => presentDelivery(delivery, waiting)),
  };
}

export function presentAttempt(attempt: Attempt) {
  const body = attempt.responseBody ? Buffer.from(attempt.responseBody) : null;
  const text = body && isUtf8(body) ? body.toString('utf8') : null;
  return {
    number: attempt.number,
    trigger: attempt.trigger,
    url: attempt.url,
    started_at: iso(attempt.startedAt)!,
    duration_ms: attempt.durationMs,
    status_code: attempt.statusCode,
    request_headers: attempt.requestHeaders,
    response_headers: attempt.responseHeaders,
    response_body: text,
    response_body_base64: body && text === null ? body.toString('base64') : null,
    response_body_truncated: attempt.responseBodyTruncated,
    error_kind: attempt.errorKind,
    error_message: attempt.errorMessage,
  };
}

/** An endpoint's circuit and recent activity (health/healthQueries.ts), in REST's words. */
export function presentEndpointHealth(health: EndpointHealthView, activity: EndpointActivity) {
  return {
    circuit_state: health.circuitState,
    reason: health.reason,
    opened_at: iso(health.openedAt),
    retry_at: iso(health.retryAt),
    failing_since: iso(health.failingSince),
    throttled_until: iso(health.throttledUntil),
    consecutive_failures: health.consecutiveFailures,
    in_flight: health.inFlight,
    held_count: health.heldCount,
    activity: {
      since: iso(activity.since)!,
      bucket_seconds: activity.bucketSeconds,
      buckets: activity.buckets.map((bucket) => ({
        at: iso(bucket.at)!,
        succeeded: bucket.succeeded,
        failed: bucket.failed,
        p50_ms: bucket.p50Ms,
        p95_ms: bucket.p95Ms,
      })),
      errors: activity.errors.map((group) => ({
        kind: group.kind,
        count: group.count,
        last_at: iso(group.lastAt)!,
        last_status_code: group.lastStatusCode,
        last_message: group.lastMessage,
      })),
    },
  };
}

export function presentReplay(replay: Replay) {
  return {
    id: replay.id,
    status: replay.status,
    filter: replay.filter,
    total: replay.total,
    processed: replay.processed,
    requeued: replay.requeued,
    created_by: replay.createdBy,
    created_at: iso(replay.createdAt)!,
    finished_at: iso(replay.finishedAt),
  };
}

export function presentErasure(erasure: Erasure) {
  return {
    id: erasure.id,
    mailbox_id: erasure.mailboxId,
    status: erasure.status,
    filter: erasure.filter,
    matched: erasure.matched,
    erased: erasure.erased,
    in_flight: erasure.inFlight,
    created_by: erasure.createdBy,
    created_at: iso(erasure.createdAt)!,
    finished_at: iso(erasure.finishedAt),
  };
}
