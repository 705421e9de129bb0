/** Response shapes shared by several REST routes, for validation and the OpenAPI document. */
import { z } from 'zod';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../paging.ts';

export const errorBody = z
  .object({
    error: z.object({
      code: z.string().describe('Stable snake_case code, e.g. invalid_api_key, validation_failed, not_found'),
      message: z.string().describe('What went wrong, for people'),
    }),
  })
  .describe('Every REST error has this shape.');

export const uuidParam = z.object({ id: z.string().describe('A UUID') });

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

const timestamp = z.string().describe('ISO 8601 time');
const nullableTimestamp = z.string().nullable().describe('ISO 8601 time, or null');

export const mailboxBody = z.object({
  id: z.string(),
  name: z.string(),
  target_url: z.string().nullable().describe('The URL of the first endpoint'),
  created_at: timestamp,
  deleted_at: nullableTimestamp.describe('When the mailbox was deleted (its history stays readable)'),
});

export const createdMailboxBody = mailboxBody.extend({
  api_key: z.string().describe('The API key for `x-api-key`. Shown only here: store it now.'),
  endpoint_id: z.string().nullable(),
  signing_secret: z.string().nullable().describe("The first endpoint's `whsec_` signing secret (Standard Webhooks)"),
});

export const apiKeyBody = z.object({
  id: z.string(),
  mailbox_id: z.string(),
  name: z.string(),
  prefix: z.string().describe('The first characters of the key, to recognise it'),
  created_at: timestamp,
  revoked_at: nullableTimestamp.describe('When the key stops (or stopped) working'),
});

export const retryPolicyBody = z.object({
  max_attempts: z.number().int().describe('Attempts in all, the first included (default 3)'),
  base_delay_ms: z.number().int().describe('Delay before the second attempt (default 2000)'),
  factor: z.number().describe('Each further delay is the previous one times this (default 2)'),
  max_delay_ms: z.number().int().describe('Longest delay (default 3600000)'),
  jitter: z.number().describe('Spread each delay by ± this fraction (default 0)'),
  schedule: z.array(z.number().int()).describe('Explicit delays in ms; replaces the exponential rule when not empty'),
});

export const endpointBody = z.object({
  id: z.string(),
  mailbox_id: z.string(),
  url: z.string(),
  description: z.string(),
  event_types: z.array(z.string()).describe('Event-type filter; `*` is a wildcard; empty = every event'),
  headers: z.record(z.string(), z.string()).describe('Custom request headers (values hidden from viewers)'),
  timeout_ms: z.number().int(),
  retry_policy: retryPolicyBody,
  enabled: z.boolean(),
  created_at: timestamp,
  updated_at: timestamp,
  deleted_at: nullableTimestamp.describe('When the endpoint was deleted (its history stays readable)'),
});

export const deliveryBody = z.object({
  id: z.string().describe('Also the `webhook-id` header of every attempt'),
  endpoint_id: z.string(),
  target_url: z.string(),
  status: z.enum(['queued', 'delivering', 'delivered', 'failed', 'cancelled']),
  attempt_count: z.number().int(),
  last_attempt_at: nullableTimestamp,
  last_status_code: z.number().int().nullable(),
  next_attempt_at: nullableTimestamp.describe('When the next scheduled attempt is due'),
  status_reason: z
    .string()
    .nullable()
    .describe('Why the delivery stands where it does, when its status alone does not say (a job that gave up…)'),
});

export const eventBody = z.object({
  tracking_number: z.string(),
  mailbox_id: z.string(),
  mailbox_name: z.string(),
  target_url: z.string().nullable().describe("The first delivery's endpoint URL (see `deliveries` for all)"),
  event_type: z.string().nullable(),
  status: z.enum(['queued', 'delivering', 'delivered', 'failed', 'cancelled', 'unrouted']),
  attempt_count: z.number().int().describe('Attempts over all deliveries'),
  last_attempt_at: nullableTimestamp,
  received_at: timestamp,
  deliveries: z.array(deliveryBody),
});

export const attemptBody = z.object({
  number: z.number().int(),
  trigger: z.enum(['scheduled', 'manual', 'test']),
  url: z.string(),
  started_at: timestamp,
  duration_ms: z.number().int(),
  status_code: z.number().int().nullable(),
  request_headers: z.unknown().describe('Headers sent; custom credential headers redacted'),
  response_headers: z.unknown().nullable(),
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
});

export const eventDetailBody = eventBody.extend({
  content_type: z.string(),
  body: z.string().describe('The event body as received (base64 when it is not UTF-8 text, see body_encoding)'),
  body_encoding: z.enum(['utf8', 'base64']),
  deliveries: z.array(deliveryBody.extend({ attempts: z.array(attemptBody) })),
});
