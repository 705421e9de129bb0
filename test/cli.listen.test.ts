/**
 * `hookpost listen --forward-to`: a receiver that Hookpost cannot reach (a laptop behind
 * NAT) gets each event of a mailbox through the CLI, as the mailbox's endpoint receives
 * it: the same body byte for byte, Content-Type, custom headers and `webhook-id`, signed
 * with the endpoint's real secret, so the independent `standardwebhooks` package verifies
 * it. The CLI prints each request and what the local receiver answered.
 */
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startCli, type RunningCli } from './support/cli.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import {
  createMailbox,
  sendEvent,
  startTestHookpost,
  TEST_ADMIN_TOKEN,
  type CreatedMailbox,
  type TestHookpost,
} from './support/hookpost.ts';
import { startReceiver, type Receiver } from './support/receiver.ts';

let db: TestDatabase;
let hookpost: TestHookpost;
/** The endpoint's real URL (production), and the developer's receiver the CLI forwards to. */
let production: Receiver;
let local: Receiver;
let mailbox: CreatedMailbox;
let endpoint: { id: string; signing_secret: string };
let listen: RunningCli;

beforeAll(async () => {
  db = await createTestDatabase();
  hookpost = await startTestHookpost(db.url);
  production = await startReceiver({ status: 200, body: 'ok' });
  local = await startReceiver({ status: 201, body: 'received locally' });
  mailbox = await createMailbox(hookpost, { name: 'Shop' });
  const created = await hookpost.api(`/api/mailboxes/${mailbox.id}/endpoints`, {
    method: 'POST',
    json: { url: `${production.url}/hooks/hookpost`, event_types: ['order.*'], headers: { 'X-Team': 'shop' } },
  });
  endpoint = (await created.json()) as typeof endpoint;
  listen = startCli(['listen', mailbox.id, '--forward-to', `${local.url}/dev/hook`], {
    HOOKPOST_URL: hookpost.baseUrl,
    HOOKPOST_TOKEN: TEST_ADMIN_TOKEN,
    HOOKPOST_CONFIG: '/nonexistent/hookpost-config.json',
  });
  await listen.waitForLine(/^Ready: forwarding events of mailbox/);
});

afterAll(async () => {
  await listen?.stop();
  await local?.close();
  await production?.close();
  await hookpost?.stop();
  await db?.drop();
});

async function send(body: string, headers: Record<string, string> = {}): Promise<string> {
  const response = await sendEvent(hookpost, mailbox, body, headers);
  expect(response.status).toBe(202);
  return ((await response.json()) as { tracking_number: string }).tracking_number;
}

async function deliveryIdOf(trackingNumber: string): Promise<string> {
  const event = (await (await hookpost.api(`/api/webhooks/${trackingNumber}`)).json()) as {
    deliveries: { id: string }[];
  };
  return event.deliveries[0]!.id;
}

describe('hookpost listen --forward-to', () => {
  test('forwards each event as the endpoint receives it, signed with its real secret', async () => {
    const json = await send('{"event":"order.completed","data":{"name":"Zoë","total":12.5}}');
    const text = await send('order ORD-2 shipped', { 'content-type': 'text/plain', 'x-event-type': 'order.shipped' });
    const forwarded = await local.waitForRequests(2);
    const delivered = await production.waitForRequests(2);

    for (const trackingNumber of [json, text]) {
      const deliveryId = await deliveryIdOf(trackingNumber);
      const here = forwarded.find((request) => request.headers['webhook-id'] === deliveryId)!;
      const there = delivered.find((request) => request.headers['webhook-id'] === deliveryId)!;
      expect(here.method).toBe('POST');
      expect(here.path).toBe('/dev/hook');
      expect(here.body.equals(there.body)).toBe(true);
      expect(here.headers['content-type']).toBe(there.headers['content-type']);
      expect(here.headers['x-team']).toBe('shop');
      // The receiver's own check, with the endpoint's secret and an independent library.
      expect(() =>
        new Webhook(endpoint.signing_secret).verify(
          here.body.toString('utf8'),
          here.headers as Record<string, string>,
          {
            jsonParse: false,
          },
        ),
      ).not.toThrow();
      await listen.waitForLine(
        new RegExp(`^→ POST ${local.url}/dev/hook  order\\.\\w+  event ${trackingNumber}  webhook-id ${deliveryId}`),
      );
    }
    expect(forwarded.map((request) => request.headers['content-type'])).toEqual(['application/json', 'text/plain']);
    expect(listen.stdout.filter((line) => line.startsWith('← '))).toEqual([
      expect.stringMatching(/^← 201 Created in \d+ ms: received locally$/),
      expect.stringMatching(/^← 201 Created in \d+ ms: received locally$/),
    ]);
  });

  test('prints what a failing local receiver answers, and skips events the endpoint does not take', async () => {
    local.reply({ status: 500, body: 'TypeError: boom' });
    const before = local.requests.length;
    const skipped = await send('{"event":"invoice.paid"}');
    const failing = await send('{"event":"order.refunded"}');
    await listen.waitForLine(
      new RegExp(`^  skipped ${skipped} \\(invoice\\.paid\\): the endpoint's filter does not accept it`),
    );
    await listen.waitForLine(/^← 500 Internal Server Error in \d+ ms: TypeError: boom$/);
    // Forwarded once: the CLI shows the answer, it does not retry (Hookpost's own delivery does that).
    const forwarded = local.requests.slice(before);
    expect(forwarded.map((request) => request.headers['webhook-id'])).toEqual([await deliveryIdOf(failing)]);
    expect(await listen.stop()).toBe(0);
  });
});
