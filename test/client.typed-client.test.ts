/**
 * @hookpost/client against a real Hookpost: the typed REST client (generated from the
 * OpenAPI document) creates and reads what the API serves, turns refusals into errors
 * with their codes, pages with the `x-next-cursor` header; sendEvent sends JSON and raw
 * bodies; the live feed pushes new events; and verifyWebhook accepts a real delivery
 * and refuses a changed one.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import {
  createHookpostClient,
  expectData,
  HookpostApiError,
  nextCursor,
  sendEvent,
  subscribeToEvents,
  verifyWebhook,
  WebhookVerificationError,
  type HookpostClient,
  type LiveEvent,
} from '../clients/typescript/src/index.ts';
import { TEST_ADMIN_TOKEN } from './support/hookpost.ts';
import { useHookpost, useReceiver } from './support/hooks.ts';

const { hookpost } = useHookpost();
const receiver = useReceiver();
let client: HookpostClient;

beforeAll(async () => {
  client = createHookpostClient({ baseUrl: hookpost.baseUrl, token: TEST_ADMIN_TOKEN });
});

describe('the typed client', () => {
  test('creates a mailbox and an endpoint and reads them back as the API serves them', async () => {
    const mailbox = expectData(await client.POST('/api/mailboxes', { body: { name: 'Typed' } }));
    expect(mailbox.api_key).toMatch(/^hpk_/);
    const endpoint = expectData(
      await client.POST('/api/mailboxes/{id}/endpoints', {
        params: { path: { id: mailbox.id } },
        body: { url: `${receiver.url}/typed`, event_types: ['order.*'], retry_policy: { max_attempts: 2 } },
      }),
    );
    expect(endpoint.signing_secret).toMatch(/^whsec_/);
    const read = expectData(await client.GET('/api/endpoints/{id}', { params: { path: { id: endpoint.id } } }));
    expect(read).toMatchObject({ mailbox_id: mailbox.id, event_types: ['order.*'], enabled: true });
    expect(read.retry_policy.max_attempts).toBe(2);
  });

  test('refusals become HookpostApiError with the status and stable code', async () => {
    const anonymous = createHookpostClient({ baseUrl: hookpost.baseUrl });
    await expect(anonymous.GET('/api/mailboxes').then(expectData)).rejects.toMatchObject({
      status: 401,
      code: 'unauthenticated',
    });
    const refused = client.POST('/api/mailboxes', { body: { name: 'Bad', target_url: 'ftp://nowhere' } });
    await expect(refused.then(expectData)).rejects.toBeInstanceOf(HookpostApiError);
    await expect(refused.then(expectData)).rejects.toMatchObject({ status: 422 });
  });

  test('lists page with the x-next-cursor header until the last page', async () => {
    for (const name of ['Page 1', 'Page 2', 'Page 3'])
      expectData(await client.POST('/api/mailboxes', { body: { name } }));
    const names: string[] = [];
    let pages = 0;
    for (let cursor: string | null | undefined; cursor !== null; pages++) {
      const page = await client.GET('/api/mailboxes', { params: { query: { limit: 2, cursor } } });
      names.push(...expectData(page).map((mailbox) => mailbox.name));
      cursor = nextCursor(page.response);
    }
    expect(names.filter((name) => name.startsWith('Page '))).toEqual(['Page 3', 'Page 2', 'Page 1']);
    expect(pages).toBeGreaterThanOrEqual(2);
  });
});

describe('sending, following and receiving', () => {
  test('an event sent with sendEvent is pushed live, delivered, and verified by verifyWebhook', async () => {
    const mailbox = expectData(
      await client.POST('/api/mailboxes', { body: { name: 'Receiving', target_url: `${receiver.url}/receiving` } }),
    );
    const pushed: LiveEvent[] = [];
    let connected!: () => void;
    const ready = new Promise<void>((resolve) => (connected = resolve));
    const live = subscribeToEvents(
      { baseUrl: hookpost.baseUrl, token: TEST_ADMIN_TOKEN, mailboxId: mailbox.id, onConnected: connected },
      (batch) => pushed.push(...batch.events),
    );
    try {
      await ready;
      const json = await sendEvent(client, {
        mailboxId: mailbox.id,
        apiKey: mailbox.api_key,
        body: { event: 'order.completed', data: { total: 10 } },
      });
      expect(json).toMatchObject({ status: 'queued', location: `/api/webhooks/${json.tracking_number}` });
      const text = await sendEvent(client, {
        mailboxId: mailbox.id,
        apiKey: mailbox.api_key,
        body: 'plain words',
        contentType: 'text/plain',
        eventType: 'note.added',
      });

      const requests = (await receiver.waitForRequests(2)).filter((request) => request.path === '/receiving');
      const bodies = requests.map(
        (request) => verifyWebhook(mailbox.signing_secret!, request.body, request.headers).body,
      );
      expect(bodies.sort()).toEqual(['plain words', '{"event":"order.completed","data":{"total":10}}'].sort());
      const changed = Buffer.from(requests[0]!.body.toString('utf8').replace(/./, ' '));
      expect(() => verifyWebhook(mailbox.signing_secret!, changed, requests[0]!.headers)).toThrow(
        WebhookVerificationError,
      );

      await expect
        .poll(() => pushed.map((event) => event.trackingNumber), { timeout: 15_000 })
        .toEqual([json.tracking_number, text.tracking_number]);
      expect(pushed.map((event) => event.eventType)).toEqual(['order.completed', 'note.added']);
    } finally {
      live.close();
      await live.done.catch(() => {});
    }
  });

  test('a wrong API key is refused with its code', async () => {
    const mailbox = expectData(await client.POST('/api/mailboxes', { body: { name: 'Refusing' } }));
    await expect(
      sendEvent(client, { mailboxId: mailbox.id, apiKey: 'hpk_wrong', body: { event: 'x' } }),
    ).rejects.toMatchObject({ status: 401, code: 'invalid_api_key' });
  });
});
