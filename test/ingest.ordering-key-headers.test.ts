/**
 * The x-ordering-key header as a careless producer or a proxy sends it. Node joins
 * repeated headers with ", ", so two keys arrived as one third key ("a, b"): the event
 * joined a line of its own, ordered with neither. One key per request, or 400.
 */
import http from 'node:http';
import { describe, expect, test } from 'vitest';
import { useHookpost } from './support/hooks.ts';
import { createMailbox } from './support/hookpost.ts';

const { hookpost } = useHookpost({ role: 'api' });

/** Posts an event with these raw headers (an array value sends the header once per item). */
function post(path: string, headers: Record<string, string | string[]>, body: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const request = http.request(`${hookpost.baseUrl}${path}`, { method: 'POST', headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode!, body: Buffer.concat(chunks).toString('utf8') }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

describe('x-ordering-key', () => {
  test('sent twice is refused with 400 invalid_ordering_key and nothing is stored', async () => {
    const mailbox = await createMailbox(hookpost, { name: 'two keys' });
    const response = await post(
      `/webhooks/${mailbox.id}`,
      {
        'content-type': 'application/json',
        'x-api-key': mailbox.api_key,
        'x-ordering-key': ['customer-1', 'customer-2'],
      },
      JSON.stringify({ event: 'order.updated' }),
    );
    expect(response.status).toBe(400);
    expect((JSON.parse(response.body) as { error: { code: string } }).error.code).toBe('invalid_ordering_key');
    const events = (await (await hookpost.api(`/api/webhooks?mailbox_id=${mailbox.id}`)).json()) as unknown[];
    expect(events).toHaveLength(0);
  });

  test('sent once is kept as sent, surrounding spaces aside', async () => {
    const mailbox = await createMailbox(hookpost, { name: 'one key' });
    const response = await post(
      `/webhooks/${mailbox.id}`,
      { 'content-type': 'application/json', 'x-api-key': mailbox.api_key, 'x-ordering-key': '  customer-1  ' },
      JSON.stringify({ event: 'order.updated' }),
    );
    expect(response.status).toBe(202);
    const { tracking_number } = JSON.parse(response.body) as { tracking_number: string };
    const event = (await (await hookpost.api(`/api/webhooks/${tracking_number}`)).json()) as { ordering_key: string };
    expect(event.ordering_key).toBe('customer-1');
  });
});
