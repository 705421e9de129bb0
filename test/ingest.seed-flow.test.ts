/**
 * The original specification's flow, end to end: create a mailbox, send an event with
 * its API key, see it delivered to the target URL, and see it in GET /api/webhooks.
 */
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import type { ApiKey } from '../clients/typescript/src/types.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { createMailbox, sendEvent, startTestHookpost, type TestHookpost } from './support/hookpost.ts';
import { startReceiver, type Receiver } from './support/receiver.ts';

let db: TestDatabase;
let hookpost: TestHookpost;
let receiver: Receiver;

beforeAll(async () => {
  db = await createTestDatabase();
  hookpost = await startTestHookpost(db.url);
  receiver = await startReceiver();
});

afterAll(async () => {
  await hookpost?.stop();
  await receiver?.close();
  await db?.drop();
});

describe('the original flow', () => {
  test('a mailbox is created with an API key shown once and its target URL as first endpoint', async () => {
    const response = await hookpost.api('/api/mailboxes', {
      method: 'POST',
      json: { name: 'Order Service', target_url: `${receiver.url}/hook` },
    });
    expect(response.status).toBe(201);
    const mailbox = await response.json();
    expect(mailbox).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      api_key: expect.stringMatching(/^hpk_/),
      name: 'Order Service',
      target_url: `${receiver.url}/hook`,
      created_at: expect.any(String),
      deleted_at: null,
      retention_days: null,
      endpoint_id: expect.any(String),
      signing_secret: expect.stringMatching(/^whsec_/),
    });
    const keys = (await (await hookpost.api(`/api/mailboxes/${mailbox.id}/api-keys`)).json()) as ApiKey[];
    expect(keys).toHaveLength(1);
    expect(mailbox.api_key.startsWith(keys[0]!.prefix)).toBe(true);
    const { rows } = await db.pool.query('select hash from api_key where mailbox_id = $1', [mailbox.id]);
    expect(rows[0].hash.toString('utf8')).not.toContain(mailbox.api_key.slice(4));
  });

  test('an event is acknowledged with a tracking number, delivered, and listed as delivered', async () => {
    const mailbox = await createMailbox(hookpost, { name: 'Shop', target_url: `${receiver.url}/shop` });
    const before = receiver.requests.length;
    const response = await sendEvent(hookpost, mailbox, {
      event: 'order.completed',
      data: { order_id: 'ORD-001', amount: 299.99 },
    });
    expect(response.status).toBe(202);
    const ack = await response.json();
    expect(ack).toEqual({
      tracking_number: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/),
      status: 'queued',
    });
    expect(response.headers.get('location')).toBe(`/api/webhooks/${ack.tracking_number}`);

    const [delivered] = (await receiver.waitForRequests(before + 1)).slice(before);
    expect(delivered!.path).toBe('/shop');
    expect(JSON.parse(delivered!.body.toString())).toEqual({
      event: 'order.completed',
      data: { order_id: 'ORD-001', amount: 299.99 },
    });

    await vi.waitFor(
      async () => {
        const list = await (await hookpost.api(`/api/webhooks?mailbox_id=${mailbox.id}`)).json();
        expect(list).toEqual([
          expect.objectContaining({
            tracking_number: ack.tracking_number,
            mailbox_name: 'Shop',
            target_url: `${receiver.url}/shop`,
            status: 'delivered',
            attempt_count: 1,
            last_attempt_at: expect.any(String),
          }),
        ]);
      },
      { timeout: 5_000, interval: 50 },
    );

    const detail = await (await hookpost.api(`/api/webhooks/${ack.tracking_number}`)).json();
    expect(detail.body).toBe(
      JSON.stringify({ event: 'order.completed', data: { order_id: 'ORD-001', amount: 299.99 } }),
    );
    expect(detail.deliveries[0].attempts).toEqual([
      expect.objectContaining({
        number: 1,
        trigger: 'scheduled',
        status_code: 200,
        response_body: 'ok',
        error_kind: null,
      }),
    ]);
  });

  test('GET /api/webhooks pages newest first with a cursor in the Link header', async () => {
    const mailbox = await createMailbox(hookpost, { name: 'Pager', target_url: `${receiver.url}/pager` });
    const sent: string[] = [];
    for (let i = 0; i < 5; i++)
      sent.push((await (await sendEvent(hookpost, mailbox, { event: 'page.test', i })).json()).tracking_number);

    const first = await hookpost.api(`/api/webhooks?mailbox_id=${mailbox.id}&limit=2`);
    const firstPage = (await first.json()).map((e: { tracking_number: string }) => e.tracking_number);
    expect(firstPage).toEqual([sent[4], sent[3]]);
    const link = first.headers.get('link');
    expect(link).toMatch(/rel="next"/);
    const next = link!.match(/<([^>]+)>/)![1]!;
    const secondPage = (await (await hookpost.api(next)).json()).map(
      (e: { tracking_number: string }) => e.tracking_number,
    );
    expect(secondPage).toEqual([sent[2], sent[1]]);
  });
});
