/**
 * One consistent story for the OpenAPI document's examples: the "Order Service" mailbox,
 * its endpoint, and an `order.completed` event that was delivered at the second attempt.
 * Each example must match its schema: the spec lint (test/api.openapi-contract.test.ts)
 * validates them.
 */
import { sign } from '../delivery/signature.ts';

const mailboxId = '0193a5b2-7c1e-7d4a-9f3e-2b8c4d6e8f10';
const endpointId = '0193a5b2-7c20-7b1c-8e2f-41a6c3d5e7f9';
const trackingNumber = '0193a5b4-1f00-7e6d-a3b2-9c8d7e6f5a41';
const deliveryId = '0193a5b4-1f01-7a2b-b4c5-d6e7f8091a2b';
const url = 'https://orders.example.com/hooks/hookpost';
const signingSecret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

const body = '{"event":"order.completed","data":{"order_id":"ORD-001","amount":299.99}}';

const mailbox = {
  id: mailboxId,
  name: 'Order Service',
  target_url: url,
  created_at: '2026-11-28T10:15:30.000Z',
  deleted_at: null,
  retention_days: null,
};

const apiKey = {
  id: '0193a5b2-7c1f-7a9e-8d1c-5b3e2f4a6c8d',
  mailbox_id: mailboxId,
  name: 'default',
  prefix: 'hpk_3Fx9',
  created_at: '2026-11-28T10:15:30.000Z',
  revoked_at: null,
};

const endpoint = {
  id: endpointId,
  mailbox_id: mailboxId,
  url,
  description: 'Fulfilment',
  event_types: ['order.*'],
  headers: { 'x-team': 'fulfilment' },
  timeout_ms: 15000,
  retry_policy: {
    preset: 'spec',
    max_attempts: 3,
    base_delay_ms: 2000,
    factor: 2,
    max_delay_ms: 3600000,
    jitter: 0,
    schedule: [],
  },
  enabled: true,
  paused_at: null,
  disabled_at: null,
  disabled_reason: null,
  rate_limit_per_second: null,
  max_in_flight: null,
  health_policy: {
    failure_threshold: 5,
    failure_rate_percent: 50,
    window_ms: 60000,
    min_attempts: 20,
    cool_down_ms: 30000,
    max_cool_down_ms: 1800000,
    disable_after_ms: 432000000,
  },
  ordered_by_key: false,
  ordering_key_field: null,
  created_at: '2026-11-28T10:15:30.000Z',
  updated_at: '2026-11-28T10:15:30.000Z',
  deleted_at: null,
};

const delivery = {
  id: deliveryId,
  endpoint_id: endpointId,
  target_url: url,
  status: 'delivered',
  attempt_count: 2,
  last_attempt_at: '2026-11-28T10:20:02.012Z',
  last_status_code: 200,
  next_attempt_at: null,
  status_reason: null,
  ordering_key: null,
};

const event = {
  tracking_number: trackingNumber,
  mailbox_id: mailboxId,
  mailbox_name: 'Order Service',
  target_url: url,
  event_type: 'order.completed',
  status: 'delivered',
  attempt_count: 2,
  last_attempt_at: '2026-11-28T10:20:02.012Z',
  received_at: '2026-11-28T10:20:00.004Z',
  erased_at: null,
  ordering_key: null,
  deliveries: [delivery],
};

const signedAt = 1795861202; // 2026-11-28T10:20:02Z, the second attempt

const requestHeaders = {
  'content-type': 'application/json',
  'user-agent': 'Hookpost/0.1 (+https://github.com/hookpost/hookpost)',
  'webhook-id': deliveryId,
  'webhook-timestamp': String(signedAt),
  // A real signature of the example body with the example secret, so a reader can check a verifier against it.
  'webhook-signature': sign(signingSecret, deliveryId, signedAt, Buffer.from(body)),
  'x-team': 'fulfilment',
};

const attempt = {
  number: 2,
  trigger: 'scheduled',
  url,
  started_at: '2026-11-28T10:20:02.012Z',
  duration_ms: 48,
  status_code: 200,
  request_headers: requestHeaders,
  response_headers: { 'content-type': 'text/plain' },
  response_body: 'ok',
  response_body_base64: null,
  response_body_truncated: false,
  error_kind: null,
  error_message: null,
};

const failedAttempt = {
  ...attempt,
  number: 1,
  started_at: '2026-11-28T10:20:00.010Z',
  duration_ms: 15,
  status_code: 503,
  response_body: 'busy',
  error_kind: 'http_status',
  error_message: 'The endpoint answered 503.',
};

export const examples = {
  signingSecret,
  body,
  requestHeaders,
  error: { error: { code: 'not_found', message: 'The mailbox was not found.' } },
  mailbox,
  createdMailbox: {
    ...mailbox,
    api_key: 'hpk_3Fx9sW2qLbN8vT4kR7mJ1cZ5yH6dP0aE',
    endpoint_id: endpointId,
    signing_secret: signingSecret,
  },
  apiKey,
  createdApiKey: { ...apiKey, api_key: 'hpk_3Fx9sW2qLbN8vT4kR7mJ1cZ5yH6dP0aE' },
  endpoint,
  delivery,
  event,
  attempt,
  eventDetail: {
    ...event,
    content_type: 'application/json',
    body,
    body_encoding: 'utf8',
    deliveries: [{ ...delivery, attempts: [failedAttempt, attempt] }],
  },
  retry: {
    message: 'Webhook retry initiated',
    tracking_number: trackingNumber,
    new_status: 'queued',
    delivery_ids: [deliveryId],
  },
  erasure: {
    id: '0193a5d0-1e2f-7a3b-8c4d-5e6f7a8b9c0d',
    mailbox_id: mailboxId,
    status: 'running',
    filter: {
      payload: [{ path: 'data.customer_id', equals: 'C-42' }],
      receivedUntil: '2026-12-03T09:00:00.000Z',
    },
    matched: 1200,
    erased: 250,
    in_flight: 0,
    created_by: 'alice',
    created_at: '2026-12-03T09:00:00.000Z',
    finished_at: null,
  },
  cancelledDelivery: {
    message: 'Delivery cancelled',
    tracking_number: trackingNumber,
    delivery_id: deliveryId,
    new_status: 'cancelled',
  },
} as const;
