/**
 * What a receiver gets: the body byte for byte with its content type, Standard Webhooks
 * headers that the independent `standardwebhooks` package verifies, a stable
 * `webhook-id` on every attempt, custom headers, and a user-agent naming Hookpost.
 */
import { Webhook } from 'standardwebhooks';
import { beforeAll, describe, expect, test, vi } from 'vitest';
import { eventByTracking } from './support/events.ts';
import { createMailbox, sendEvent, type CreatedMailbox } from './support/hookpost.ts';
import { useHookpost, useReceiver } from './support/hooks.ts';

const { db, hookpost } = useHookpost();
const receiver = useReceiver();
let mailbox: CreatedMailbox;

beforeAll(async () => {
  mailbox = await createMailbox(hookpost, { name: 'Signed', target_url: `${receiver.url}/signed` });
});

describe('the request a receiver gets', () => {
  test('the body arrives byte for byte (whitespace, key order, unicode, escapes) and is signed', async () => {
    const raw =
      '{ "event":"order.created",\n  "z": 1, "a": [1.50, 2e3],\t"name": "Zoë \\u00e9 🚀", "nested": {"b":null} }  ';
    const before = receiver.requests.length;
    await sendEvent(hookpost, mailbox, raw, { 'content-type': 'application/json; charset=utf-8' });
    const [request] = (await receiver.waitForRequests(before + 1)).slice(before);
    expect(request!.body.equals(Buffer.from(raw, 'utf8'))).toBe(true);
    expect(request!.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(request!.headers['user-agent']).toMatch(/^Hookpost\//);
    const verified = new Webhook(mailbox.signing_secret!).verify(request!.body.toString('utf8'), {
      'webhook-id': request!.headers['webhook-id'] as string,
      'webhook-timestamp': request!.headers['webhook-timestamp'] as string,
      'webhook-signature': request!.headers['webhook-signature'] as string,
    });
    expect(verified).toEqual(JSON.parse(raw));
    expect(Math.abs(Number(request!.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(5);
  });

  test('non-JSON bodies keep their content type', async () => {
    const before = receiver.requests.length;
    await sendEvent(hookpost, mailbox, 'a=1&b=%C3%A9', {
      'content-type': 'application/x-www-form-urlencoded',
      'x-event-type': 'form.posted',
    });
    const [request] = (await receiver.waitForRequests(before + 1)).slice(before);
    expect(request!.body.toString()).toBe('a=1&b=%C3%A9');
    expect(request!.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  test('webhook-id is the same on every attempt of a delivery, and it is the delivery id', async () => {
    let calls = 0;
    receiver.reply(() => (++calls < 3 ? { status: 500 } : { status: 200 }));
    const before = receiver.requests.length;
    const { tracking_number } = await (await sendEvent(hookpost, mailbox, { event: 'retry.me' })).json();
    const attempts = (await receiver.waitForRequests(before + 3, 15_000)).slice(before);
    const ids = new Set(attempts.map((r) => r.headers['webhook-id']));
    expect(ids.size).toBe(1);
    const { deliveries } = await eventByTracking(hookpost, tracking_number);
    expect([...ids]).toEqual(deliveries.map((delivery) => delivery.id));
    // Each attempt is signed afresh (new timestamp) and still verifies.
    for (const attempt of attempts) {
      expect(() =>
        new Webhook(mailbox.signing_secret!).verify(attempt.body.toString(), attempt.headers as Record<string, string>),
      ).not.toThrow();
    }
    receiver.reply({ status: 200 });
  });

  test('custom headers are sent, stored encrypted, and every custom value is redacted in the audit trail, whatever its name', async () => {
    const response = await hookpost.api(`/api/mailboxes/${mailbox.id}/endpoints`, {
      method: 'POST',
      json: {
        url: `${receiver.url}/custom`,
        headers: { Authorization: 'Bearer receiver-s3cret', 'X-Tenant': 'acme', 'X-Pass': 'pass-s3cret' },
        event_types: ['custom.*'],
      },
    });
    expect(response.status).toBe(201);
    const { id } = await response.json();
    const stored = await db.pool.query('select sealed_headers from endpoint where id = $1', [id]);
    expect(stored.rows[0].sealed_headers.toString('latin1')).not.toContain('receiver-s3cret');

    const before = receiver.requests.length;
    const { tracking_number } = await (await sendEvent(hookpost, mailbox, { event: 'custom.thing' })).json();
    const received = (await receiver.waitForRequests(before + 2)).slice(before).find((r) => r.path === '/custom')!;
    expect(received.headers.authorization).toBe('Bearer receiver-s3cret');
    expect(received.headers['x-tenant']).toBe('acme');
    expect(received.headers['x-pass']).toBe('pass-s3cret');

    await vi.waitFor(
      async () => {
        const event = await eventByTracking(hookpost, tracking_number);
        const custom = event.deliveries.find((d) => d.target_url.endsWith('/custom'));
        expect(custom?.attempts[0]?.request_headers).toMatchObject({
          authorization: '[redacted]',
          'x-tenant': '[redacted]',
          'x-pass': '[redacted]',
          'webhook-id': custom?.id,
        });
      },
      { timeout: 5_000, interval: 50 },
    );
    const attempts = await db.pool.query(`select request_headers::text as h from attempt`);
    const audited = attempts.rows.map((r) => r.h).join();
    expect(audited).not.toContain('receiver-s3cret');
    expect(audited).not.toContain('pass-s3cret');
  });

  test('the endpoint secret is stored sealed and a rotation signs with both secrets', async () => {
    const sealed = await db.pool.query('select ciphertext from endpoint_secret where endpoint_id = $1', [
      mailbox.endpoint_id,
    ]);
    expect(sealed.rows[0].ciphertext.toString('latin1')).not.toContain(mailbox.signing_secret!.slice(6, 20));

    const rotated = await (
      await hookpost.api(`/api/endpoints/${mailbox.endpoint_id}/rotate-secret`, { method: 'POST' })
    ).json();
    expect(rotated.signing_secret).toMatch(/^whsec_/);
    const before = receiver.requests.length;
    await sendEvent(hookpost, mailbox, { event: 'after.rotation' });
    const [request] = (await receiver.waitForRequests(before + 1)).slice(before);
    expect((request!.headers['webhook-signature'] as string).split(' ')).toHaveLength(2);
    for (const secret of [mailbox.signing_secret!, rotated.signing_secret]) {
      expect(() =>
        new Webhook(secret).verify(request!.body.toString(), request!.headers as Record<string, string>),
      ).not.toThrow();
    }
    const revealed = await (await hookpost.api(`/api/endpoints/${mailbox.endpoint_id}/secret`)).json();
    expect(revealed.signing_secret).toBe(rotated.signing_secret);
  });
});
