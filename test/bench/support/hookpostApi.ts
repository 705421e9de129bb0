/**
 * Setting up what a scenario sends to, through Hookpost's own management API: a mailbox
 * with its API key and `fanout` endpoints pointing at the receiver, each under the
 * scenario's tag so the receiver counts its deliveries apart from the others'.
 */
import type { Receiver } from '../receiver/receiverProcess.ts';

export interface RetryPolicyBody {
  max_attempts?: number;
  base_delay_ms?: number;
  factor?: number;
  max_delay_ms?: number;
  jitter?: number;
  schedule?: number[];
}

/** An endpoint's `health_policy` over REST; omitted fields take the product's defaults. */
export interface HealthPolicyBody {
  failure_threshold?: number;
  failure_rate_percent?: number;
  window_ms?: number;
  min_attempts?: number;
  cool_down_ms?: number;
  max_cool_down_ms?: number;
  disable_after_ms?: number;
}

export interface BenchMailbox {
  id: string;
  apiKey: string;
  tag: string;
  endpointIds: string[];
  /** The ingest URL of this mailbox. */
  ingestUrl: string;
}

async function call<T>(baseUrl: string, token: string, method: string, pathname: string, body: unknown): Promise<T> {
  const response = await fetch(`${baseUrl}${pathname}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${pathname} answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as T;
}

export async function createBenchMailbox(
  api: { url: string; adminToken: string },
  receiver: Receiver,
  options: { tag: string; fanout: number; retryPolicy?: RetryPolicyBody },
): Promise<BenchMailbox> {
  const mailbox = await call<{ id: string; api_key: string }>(api.url, api.adminToken, 'POST', '/api/mailboxes', {
    name: `bench ${options.tag}`,
  });
  const endpointIds: string[] = [];
  for (let index = 0; index < options.fanout; index++) {
    const endpoint = await call<{ id: string }>(
      api.url,
      api.adminToken,
      'POST',
      `/api/mailboxes/${mailbox.id}/endpoints`,
      {
        url: receiver.endpointUrl(options.tag, index),
        description: `bench ${options.tag} #${index}`,
        ...(options.retryPolicy ? { retry_policy: options.retryPolicy } : {}),
      },
    );
    endpointIds.push(endpoint.id);
  }
  return {
    id: mailbox.id,
    apiKey: mailbox.api_key,
    tag: options.tag,
    endpointIds,
    ingestUrl: `${api.url}/webhooks/${mailbox.id}`,
  };
}

/** Changes an endpoint's settings (`PATCH /api/endpoints/{id}`, the body in REST's words). */
export async function updateEndpoint(
  api: { url: string; adminToken: string },
  endpointId: string,
  body: { health_policy?: HealthPolicyBody; retry_policy?: RetryPolicyBody; timeout_ms?: number },
): Promise<void> {
  await call(api.url, api.adminToken, 'PATCH', `/api/endpoints/${endpointId}`, body);
}

/** A JSON event of exactly `bytes` bytes, typed like a producer's: {"event": "order.created", "data": …}. */
export function eventBody(bytes: number): string {
  const head = '{"event":"order.created","data":{"order_id":"ord_0001","note":"';
  const tail = '"}}';
  return head + 'x'.repeat(Math.max(0, bytes - head.length - tail.length)) + tail;
}

export function ingestHeaders(mailbox: BenchMailbox): Record<string, string> {
  return { 'content-type': 'application/json', 'x-api-key': mailbox.apiKey };
}

/** Deletes an endpoint (`DELETE /api/endpoints/{id}`): its waiting deliveries are cancelled. */
export async function deleteEndpoint(api: { url: string; adminToken: string }, endpointId: string): Promise<void> {
  const response = await fetch(`${api.url}/api/endpoints/${endpointId}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${api.adminToken}` },
  });
  if (response.status !== 204)
    throw new Error(`DELETE /api/endpoints/${endpointId} answered ${response.status}: ${await response.text()}`);
}
