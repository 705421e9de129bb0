/**
 * Shapes shared by the REST routes, for validation and for the OpenAPI document. The
 * things a client works with (Mailbox, Endpoint, Event…) are registered once as named
 * components (`.meta({ id })`), with an example, so generated clients get a type of that
 * name. Formats (`uuid`, `date-time`) are documented with `.meta` and not enforced here:
 * the services check ids and times themselves, with the same errors as GraphQL.
 */
import { z } from 'zod';
import { attemptTriggers } from '../deliveries/deliverJobs.ts';
import { retryPresetNames } from '../endpoints/retryPolicy.ts';
import { deliveryStatuses, eventStatuses } from '../events/statuses.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../paging.ts';
import { examples } from './examples.ts';

const uuid = (description: string) => z.string().meta({ format: 'uuid', description });
const timestamp = (description: string) => z.string().meta({ format: 'date-time', description });
const nullableTimestamp = (description: string) =>
  z.string().meta({ format: 'date-time' }).nullable().describe(description);

/** Header names (lower case) and values, as recorded on an attempt; documented, not re-checked on the way out. */
const headerMap = z.unknown().meta({ type: 'object', additionalProperties: { type: 'string' } });

export const errorBody = z
  .object({
    error: z.object({
      code: z
        .string()
        .describe(
          'Stable snake_case code: bad_request, invalid_json, validation_failed, missing_api_key, invalid_api_key, ' +
            'unauthenticated, forbidden, not_found, method_not_allowed, conflict, payload_too_large, headers_too_large, request_timeout, ' +
            'unsupported_media_type, target_not_allowed, not_retryable, invalid_idempotency_key, idempotency_key_reused, invalid_ordering_key, ' +
            'too_many_requests, unavailable, query_timeout, delivery_loop, internal_error',
        ),
      message: z.string().describe('What went wrong, for people'),
    }),
  })
  .meta({ id: 'Error', description: 'Every REST error has this shape.', examples: [examples.error] });

/** The error answers a route can give, each described by what causes it. */
const errorCauses = {
  400: 'The body is not what the route reads (invalid_json, bad_request).',
  401: 'No valid access token or session (unauthenticated).',
  403: 'The role of the caller does not allow it (forbidden).',
  404: 'Not found, or deleted (not_found).',
  409: 'The state does not allow it (not_retryable, conflict).',
  413: 'The body is larger than allowed (payload_too_large).',
  415: 'This Content-Type is not accepted (unsupported_media_type).',
  422: 'The input is invalid (validation_failed, target_not_allowed).',
  429: 'Too many failed credentials from here (too_many_requests): wait as Retry-After says.',
  503: 'Reading this took too long and was stopped (query_timeout): ask for less, or try again after Retry-After.',
} as const;

const retryAfter = {
  'retry-after': { type: 'integer', description: 'Seconds to wait before trying again.' },
};

export function errorResponses<Status extends keyof typeof errorCauses>(...statuses: Status[]) {
  return Object.fromEntries(
    statuses.map((status) => {
      const described = errorBody.describe(errorCauses[status]);
      return [status, status === 429 || status === 503 ? described.meta({ headers: retryAfter }) : described];
    }),
  ) as Record<Status, typeof errorBody>;
}

export const uuidParam = z.object({ id: uuid('A UUID') });

/** Values one list filter of a query may hold (the services bound their lists the same). */
export const MAX_LIST_VALUES = 20;

/**
 * A query filter that takes several values, in either form a client may send, or both
 * mixed: comma-separated (`?status=failed,queued`) or the parameter repeated
 * (`?status=failed&status=queued`). More than MAX_LIST_VALUES is a 422 before any
 * service reads it.
 */
export function listParam(description: string) {
  return z
    .union([z.string(), z.array(z.string())])
    .transform((value) => (Array.isArray(value) ? value : [value]).flatMap((item) => item.split(',')).filter(Boolean))
    .pipe(z.array(z.string()).max(MAX_LIST_VALUES, `at most ${MAX_LIST_VALUES} values`))
    .describe(`${description}: comma-separated, or the parameter repeated (at most ${MAX_LIST_VALUES} values in all)`);
}

/** `path=value` as the search services take it (a value may hold `=`; no `=`: an empty path, which they refuse). */
export function fieldMatch(text: string): { path: string; equals: string } {
  const at = text.indexOf('=');
  return at === -1 ? { path: '', equals: text } : { path: text.slice(0, at), equals: text.slice(at + 1) };
}

export const paginationQuery = {
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PAGE_SIZE)
    .default(DEFAULT_PAGE_SIZE)
    .describe(`Items per page (1-${MAX_PAGE_SIZE}, default ${DEFAULT_PAGE_SIZE})`),
  cursor: z
    .uuid('is not a cursor of this list')
    .optional()
    .describe('The `x-next-cursor` of the previous page (also in the Link header)'),
};

/**
 * A page of a list: a JSON array, and when another page follows, where it is. The
 * headers are documented through @fastify/swagger's `headers` keyword of a response.
 */
export function page<T extends z.ZodType>(item: T, description: string) {
  return z.array(item).meta({
    description,
    headers: {
      link: {
        type: 'string',
        description: 'The next page, when there is one: `</api/…?cursor=…>; rel="next"` (RFC 8288).',
        examples: [`</api/webhooks?limit=50&cursor=${examples.event.tracking_number}>; rel="next"`],
      },
      'x-next-cursor': {
        type: 'string',
        format: 'uuid',
        description: 'The `cursor` of the next page, when there is one.',
        examples: [examples.event.tracking_number],
      },
    },
  });
}

export const mailboxBody = z
  .object({
    id: uuid('The mailbox id: the path of `POST /webhooks/{mailbox_id}`'),
    name: z.string().describe('A name for people'),
    target_url: z.string().nullable().describe('The URL of the first endpoint'),
    created_at: timestamp('When it was created'),
    deleted_at: nullableTimestamp('When the mailbox was deleted (its history stays readable)'),
    retention_days: z
      .number()
      .int()
      .nullable()
      .describe(
        'How long its settled events are kept, in days; 0: forever; null: the instance default (HOOKPOST_RETENTION_DAYS)',
      ),
  })
  .meta({ id: 'Mailbox', description: 'A producer: it sends events with its API keys.', examples: [examples.mailbox] });

export const createdMailboxBody = mailboxBody
  .extend({
    api_key: z.string().describe('The API key for `x-api-key`. Shown only here: store it now.'),
    endpoint_id: uuid('The first endpoint, made from `target_url`').nullable(),
    signing_secret: z
      .string()
      .nullable()
      .describe("The first endpoint's `whsec_` signing secret (Standard Webhooks). Shown only here."),
  })
  .meta({
    id: 'CreatedMailbox',
    description: 'A new mailbox, with its API key and first signing secret, shown once.',
    examples: [examples.createdMailbox],
  });

export const apiKeyBody = z
  .object({
    id: uuid('The API key id'),
    mailbox_id: uuid('Its mailbox'),
    name: z.string(),
    prefix: z.string().describe('The first characters of the key, to recognise it'),
    created_at: timestamp('When it was made'),
    revoked_at: nullableTimestamp('When the key stops (or stopped) working'),
  })
  .meta({
    id: 'ApiKey',
    description: "A mailbox's API key; the key itself is shown only when it is made.",
    examples: [examples.apiKey],
  });

export const createdApiKeyBody = apiKeyBody
  .extend({ api_key: z.string().describe('The key for `x-api-key`. Shown only here.') })
  .meta({ id: 'CreatedApiKey', description: 'A new API key, shown once.', examples: [examples.createdApiKey] });

export const retryPolicyBody = z
  .object({
    preset: z
      .enum(retryPresetNames)
      .describe('The preset it starts from: `spec` (3 attempts, +2 s, +4 s) or `production` (8 over ~27 h)'),
    max_attempts: z.number().int().describe('Attempts in all, the first included (default 3)'),
    base_delay_ms: z.number().int().describe('Delay before the second attempt (default 2000)'),
    factor: z.number().describe('Each further delay is the previous one times this (default 2)'),
    max_delay_ms: z.number().int().describe('Longest delay (default 3600000)'),
    jitter: z.number().describe('Spread each delay by ± this fraction (default 0)'),
    schedule: z.array(z.number().int()).describe('Explicit delays in ms; replaces the exponential rule when not empty'),
  })
  .meta({
    id: 'RetryPolicy',
    description: 'How many attempts a delivery gets and how far apart.',
    examples: [examples.endpoint.retry_policy],
  });

export const healthPolicyBody = z
  .object({
    failure_threshold: z.number().int().describe('Failures in a row that open the circuit (default 5)'),
    failure_rate_percent: z
      .number()
      .int()
      .describe('The share of failed attempts in a window that opens the circuit, in percent (default 50)'),
    window_ms: z.number().int().describe('The window the rate is measured over, in ms (default 60000)'),
    min_attempts: z.number().int().describe('Attempts a window needs before its rate counts (default 20)'),
    cool_down_ms: z
      .number()
      .int()
      .describe('How long an opened circuit first rests before a probe, in ms (default 30000)'),
    max_cool_down_ms: z
      .number()
      .int()
      .describe('The longest rest, however often it reopens (each reopening doubles it), in ms (default 1800000)'),
    disable_after_ms: z
      .number()
      .int()
      .describe('Failing without a success for this long disables the endpoint, in ms; 0: never (default 432000000)'),
  })
  .meta({
    id: 'HealthPolicy',
    description: "When the endpoint's circuit opens, how long it rests, and when it is disabled: the policy in effect.",
    examples: [examples.endpoint.health_policy],
  });

export const endpointBody = z
  .object({
    id: uuid('The endpoint id'),
    mailbox_id: uuid('Its mailbox'),
    url: z.string().meta({ format: 'uri' }).describe('Where deliveries are POSTed'),
    description: z.string(),
    event_types: z.array(z.string()).describe('Event-type filter; `*` is a wildcard; empty = every event'),
    headers: z.record(z.string(), z.string()).describe('Custom request headers (values hidden from viewers)'),
    timeout_ms: z.number().int().describe('How long an attempt may take, in milliseconds'),
    retry_policy: retryPolicyBody,
    enabled: z.boolean(),
    paused_at: nullableTimestamp('Set while paused: its deliveries are held, not dropped, until resumed'),
    disabled_at: nullableTimestamp('When it was last disabled'),
    disabled_reason: z
      .string()
      .nullable()
      .describe('Why it is disabled (an operator, a 410 Gone, failing too long), while it is'),
    rate_limit_per_second: z.number().nullable().describe('At most this many deliveries a second; null: no limit'),
    max_in_flight: z
      .number()
      .int()
      .nullable()
      .describe("At most this many requests in flight; null: the worker's fair share"),
    health_policy: healthPolicyBody,
    ordered_by_key: z
      .boolean()
      .describe('Events of one ordering key are delivered one at a time, in arrival order; other keys in parallel'),
    ordering_key_field: z
      .string()
      .nullable()
      .describe(
        "The JSON body field an event's ordering key is read from without an `x-ordering-key`; null: the header only",
      ),
    created_at: timestamp('When it was made'),
    updated_at: timestamp('When it last changed'),
    deleted_at: nullableTimestamp('When the endpoint was deleted (its history stays readable)'),
  })
  .meta({
    id: 'Endpoint',
    description: 'A destination of a mailbox: its URL, filter, signing secret(s) and retry policy.',
    examples: [examples.endpoint],
  });

export const createdEndpointBody = endpointBody
  .extend({ signing_secret: z.string().describe('Its `whsec_` signing secret. Shown only here.') })
  .meta({
    id: 'CreatedEndpoint',
    description: 'A new endpoint, with its signing secret, shown once.',
    examples: [{ ...examples.endpoint, signing_secret: examples.signingSecret }],
  });

export const signingSecretBody = z
  .object({ signing_secret: z.string().describe('A `whsec_` secret (Standard Webhooks): base64 after the prefix') })
  .meta({
    id: 'SigningSecret',
    description: "An endpoint's signing secret.",
    examples: [{ signing_secret: examples.signingSecret }],
  });

export const deliveryBody = z
  .object({
    id: uuid('Also the `webhook-id` header of every attempt'),
    endpoint_id: uuid('The endpoint it is bound for'),
    target_url: z.string().describe("The endpoint's URL"),
    status: z.enum(deliveryStatuses),
    attempt_count: z.number().int(),
    last_attempt_at: nullableTimestamp('When the latest attempt started'),
    last_status_code: z.number().int().nullable(),
    next_attempt_at: nullableTimestamp('When the next scheduled attempt is due'),
    status_reason: z
      .string()
      .nullable()
      .describe(
        'Why the delivery stands where it does, when its status alone does not say (a job that gave up, waiting behind an earlier delivery of its ordering key…)',
      ),
    ordering_key: z
      .string()
      .nullable()
      .describe(
        'The ordering key it is delivered in line with (its endpoint is ordered by key); null: delivered without order',
      ),
  })
  .meta({ id: 'Delivery', description: 'One event bound for one endpoint.', examples: [examples.delivery] });

export const eventBody = z
  .object({
    tracking_number: uuid('The event id: a time-ordered UUID (v7)'),
    mailbox_id: uuid('The mailbox it was sent to'),
    mailbox_name: z.string(),
    target_url: z.string().nullable().describe("The first delivery's endpoint URL (see `deliveries` for all)"),
    event_type: z.string().nullable(),
    status: z.enum(eventStatuses),
    attempt_count: z.number().int().describe('Attempts over all deliveries'),
    last_attempt_at: nullableTimestamp('When the latest attempt started'),
    received_at: timestamp('When Hookpost accepted it'),
    erased_at: nullableTimestamp('When it was erased: its body and captured responses are gone, this record stays'),
    ordering_key: z.string().nullable().describe('The `x-ordering-key` it was sent with, if any'),
    deliveries: z.array(deliveryBody),
  })
  .meta({ id: 'Event', description: 'One accepted POST to a mailbox, and where it went.', examples: [examples.event] });

export const attemptBody = z
  .object({
    number: z.number().int().describe('1 for the first try of the delivery'),
    trigger: z.enum(attemptTriggers),
    url: z.string().describe('The URL as it was when the request was made'),
    started_at: timestamp('When the request started'),
    duration_ms: z.number().int(),
    status_code: z.number().int().nullable(),
    request_headers: headerMap.describe('Headers sent, signature included; custom credential headers redacted'),
    response_headers: headerMap.nullable().describe('Headers received; null when no response came'),
    response_body: z.string().nullable().describe('The first 20 KiB of the response, when it is text'),
    response_body_base64: z.string().nullable().describe('The same, base64, when it is not UTF-8'),
    response_body_truncated: z.boolean(),
    error_kind: z
      .string()
      .nullable()
      .describe(
        'http_status, redirect, timeout, connection_refused, connection_reset, dns, tls, blocked_target, network',
      ),
    error_message: z.string().nullable(),
  })
  .meta({ id: 'Attempt', description: 'One HTTP request of a delivery.', examples: [examples.attempt] });

export const eventDetailBody = eventBody
  .extend({
    content_type: z.string().describe('The Content-Type it was sent (and is delivered) with'),
    body: z.string().describe('The event body as received (base64 when it is not UTF-8 text, see body_encoding)'),
    body_encoding: z.enum(['utf8', 'base64']),
    deliveries: z.array(
      deliveryBody
        .extend({ attempts: z.array(attemptBody) })
        .meta({ id: 'DeliveryWithAttempts', description: 'A delivery and every attempt it made.' }),
    ),
  })
  .meta({
    id: 'EventDetail',
    description: 'An event with its body, its deliveries and every attempt.',
    examples: [examples.eventDetail],
  });

export const erasedEventBody = z
  .object({
    tracking_number: uuid('The erased event'),
    erased_at: timestamp('When it was erased'),
  })
  .meta({
    id: 'ErasedEvent',
    description: 'An erased event: the tombstone that stays.',
    examples: [{ tracking_number: examples.event.tracking_number, erased_at: '2026-12-02T09:00:00.000Z' }],
  });

export const erasureBody = z
  .object({
    id: uuid('The erasure id'),
    mailbox_id: uuid('The mailbox whose events it erases'),
    status: z.enum(['running', 'finished', 'cancelled']),
    filter: z
      .unknown()
      .meta({ type: 'object' })
      .describe('The event filter it erases by (its receivedUntil at most its start), in the service’s words'),
    matched: z.number().int().describe('Events that matched when it started'),
    erased: z.number().int().describe('Events erased so far'),
    in_flight: z
      .number()
      .int()
      .describe('Events passed over in this pass because an attempt of theirs was in flight; taken again once it ends'),
    created_by: z.string().describe('Who started it (the access token name)'),
    created_at: timestamp('When it started'),
    finished_at: nullableTimestamp('When it finished or was cancelled'),
  })
  .meta({
    id: 'Erasure',
    description:
      'A bulk erasure: every event of a mailbox matching a filter, as received before it started, erased in the background.',
    examples: [examples.erasure],
  });

export const retryBody = z
  .object({
    message: z.string(),
    tracking_number: uuid('The event'),
    new_status: z.literal('queued'),
    delivery_ids: z.array(uuid('A delivery')).describe('The deliveries re-queued'),
  })
  .meta({
    id: 'RetryStarted',
    description: 'Deliveries re-queued for one manual attempt each.',
    examples: [examples.retry],
  });

export const cancelledDeliveryBody = z
  .object({
    message: z.string(),
    tracking_number: uuid('The event'),
    delivery_id: uuid('The delivery cancelled'),
    new_status: z.literal('cancelled'),
  })
  .meta({
    id: 'DeliveryCancelled',
    description: 'A waiting delivery cancelled; the next of its ordering key, if any, goes now.',
    examples: [examples.cancelledDelivery],
  });

export const eventAcceptedBody = z
  .object({
    tracking_number: uuid('The event id: a time-ordered UUID (v7)'),
    status: z
      .enum(['queued', 'unrouted'])
      .describe('`unrouted` when no endpoint accepts the event type: stored, not delivered'),
  })
  .meta({
    id: 'EventAccepted',
    description: 'The event is stored; delivery happens afterwards.',
    examples: [{ tracking_number: examples.event.tracking_number, status: 'queued' }],
  });

export const endpointHealthBody = z
  .object({
    circuit_state: z.enum(['closed', 'open', 'half_open']).describe('Where the circuit breaker stands'),
    reason: z.string().nullable().describe('Why it stands there, in words'),
    opened_at: nullableTimestamp('When the circuit last opened'),
    retry_at: nullableTimestamp('When an open circuit lets its next probe through'),
    failing_since: nullableTimestamp('Failing without a success since then (auto-disable counts from here)'),
    throttled_until: nullableTimestamp('The receiver asked to slow down (429/503 with Retry-After) until then'),
    consecutive_failures: z.number().int(),
    in_flight: z.number().int().describe('Requests in flight (counted when max_in_flight is set)'),
    held_count: z.number().int().describe('Deliveries held (circuit open or paused)'),
    activity: z.object({
      since: timestamp("The window's start"),
      bucket_seconds: z.number().int(),
      buckets: z.array(
        z.object({
          at: timestamp("The bucket's start"),
          succeeded: z.number().int(),
          failed: z.number().int(),
          p50_ms: z.number().int().nullable(),
          p95_ms: z.number().int().nullable(),
        }),
      ),
      errors: z
        .array(
          z.object({
            kind: z.string(),
            count: z.number().int(),
            last_at: timestamp('When the latest one started'),
            last_status_code: z.number().int().nullable(),
            last_message: z.string().nullable(),
          }),
        )
        .describe('Failed attempts grouped by kind, most frequent first'),
    }),
  })
  .meta({ id: 'EndpointHealth', description: "An endpoint's circuit breaker, held backlog and recent activity." });

export const replayBody = z
  .object({
    id: uuid('The replay id'),
    status: z.enum(['running', 'finished', 'cancelled']),
    filter: z
      .unknown()
      .meta({ type: 'object' })
      .describe('The dead-letter filter it replays (failed_until at most its start)'),
    total: z.number().int().describe('Dead letters that matched when it started'),
    processed: z.number().int().describe('Dead letters taken so far'),
    requeued: z.number().int().describe('Deliveries put back in line so far'),
    created_by: z.string(),
    created_at: timestamp('When it started'),
    finished_at: nullableTimestamp('When it finished or was cancelled'),
  })
  .meta({
    id: 'Replay',
    description: 'A bulk replay of failed deliveries: one more attempt each, behind live traffic, a batch a second.',
  });
