/**
 * Answers made per request are compressed when they are worth it: management JSON and
 * GraphQL results over 1 KiB come back with brotli or gzip, as the client accepts; the
 * small ingest answer and the live (SSE) stream are left as they are.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { TEST_ADMIN_TOKEN, createMailbox, sendEvent } from './support/hookpost.ts';
import { useHookpost } from './support/hooks.ts';

const { hookpost } = useHookpost();
let mailbox: Awaited<ReturnType<typeof createMailbox>>;

beforeAll(async () => {
  mailbox = await createMailbox(hookpost, { name: 'Shop' });
  for (let i = 0; i < 30; i++)
    await sendEvent(hookpost, mailbox, { event: 'order.created', data: { order_id: `ORD-${i}` } });
}, 120_000);

const authorization = `Bearer ${TEST_ADMIN_TOKEN}`;

describe('response compression', () => {
  test('a page of events over REST and GraphQL is compressed as the client accepts', async () => {
    const rest = await fetch(`${hookpost.baseUrl}/api/webhooks?limit=30`, {
      headers: { authorization, 'accept-encoding': 'br, gzip' },
    });
    expect(rest.status).toBe(200);
    expect(rest.headers.get('content-encoding')).toBe('br');
    expect(await rest.json()).toHaveLength(30);

    const graphql = await fetch(`${hookpost.baseUrl}/graphql`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json', 'accept-encoding': 'gzip' },
      body: JSON.stringify({ query: '{ events(first: 30) { edges { node { id eventType receivedAt status } } } }' }),
    });
    expect(graphql.headers.get('content-encoding')).toBe('gzip');
    expect((await graphql.json()).data.events.edges).toHaveLength(30);

    const plain = await fetch(`${hookpost.baseUrl}/api/webhooks?limit=30`, {
      headers: { authorization, 'accept-encoding': 'identity' },
    });
    expect(plain.headers.get('content-encoding')).toBeNull();
  });

  test('the ingest answer and the live stream are not compressed', async () => {
    const accepted = await sendEvent(hookpost, mailbox, { event: 'order.created' }, { 'accept-encoding': 'br, gzip' });
    expect(accepted.status).toBe(202);
    expect(accepted.headers.get('content-encoding')).toBeNull();

    const controller = new AbortController();
    const stream = await fetch(`${hookpost.baseUrl}/graphql`, {
      method: 'POST',
      signal: controller.signal,
      headers: {
        authorization,
        'content-type': 'application/json',
        accept: 'text/event-stream',
        'accept-encoding': 'br, gzip',
      },
      body: JSON.stringify({ query: 'subscription { eventReceived { events { id } } }' }),
    });
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    // yoga marks its streams `content-encoding: none`, so no proxy buffers them to compress.
    expect(['br', 'gzip']).not.toContain(stream.headers.get('content-encoding'));
    controller.abort();
  });
});
