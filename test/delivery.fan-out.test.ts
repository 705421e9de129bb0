/**
 * One event, one delivery per endpoint whose event-type filter accepts it. An event no
 * endpoint accepts is stored and shown as `unrouted`.
 */
import { beforeAll, describe, expect, test, vi } from 'vitest';
import { eventByTracking } from './support/events.ts';
import { createMailbox, sendEvent, type CreatedMailbox } from './support/hookpost.ts';
import { useHookpost, useReceiver } from './support/hooks.ts';

const { db, hookpost } = useHookpost();
const receiver = useReceiver();
let mailbox: CreatedMailbox;

beforeAll(async () => {
  mailbox = await createMailbox(hookpost, { name: 'Fan-out' });
  for (const [path, eventTypes] of [
    ['all', []],
    ['orders', ['order.*']],
    ['invoices', ['invoice.paid', 'invoice.voided']],
    ['failures', ['*.failed']],
  ] as const) {
    const response = await hookpost.api(`/api/mailboxes/${mailbox.id}/endpoints`, {
      method: 'POST',
      json: { url: `${receiver.url}/${path}`, event_types: eventTypes },
    });
    expect(response.status).toBe(201);
  }
});

async function pathsReached(trackingNumber: string, expected: number) {
  await vi.waitFor(
    async () => {
      const { deliveries } = await eventByTracking(hookpost, trackingNumber);
      expect(deliveries.filter((delivery) => delivery.status === 'delivered')).toHaveLength(expected);
    },
    { timeout: 5_000, interval: 50 },
  );
  const ids = new Set((await eventByTracking(hookpost, trackingNumber)).deliveries.map((delivery) => delivery.id));
  return receiver.requests
    .filter((r) => ids.has(r.headers['webhook-id'] as string))
    .map((r) => r.path)
    .sort();
}

describe('fan-out with event-type filters', () => {
  test.each([
    ['order.created', ['/all', '/orders']],
    ['order.item.added', ['/all', '/orders']],
    ['invoice.paid', ['/all', '/invoices']],
    ['payment.failed', ['/all', '/failures']],
    ['user.signed_up', ['/all']],
  ])('%s reaches %j', async (eventType, paths) => {
    const response = await sendEvent(hookpost, mailbox, { event: eventType, data: {} });
    const { tracking_number } = await response.json();
    expect(await pathsReached(tracking_number, paths.length)).toEqual(paths);
  });

  test('the x-event-type header decides over the body', async () => {
    const { tracking_number } = await (
      await sendEvent(hookpost, mailbox, { event: 'user.signed_up' }, { 'x-event-type': 'invoice.voided' })
    ).json();
    expect(await pathsReached(tracking_number, 2)).toEqual(['/all', '/invoices']);
  });

  test('an untyped event reaches only endpoints without a filter', async () => {
    const { tracking_number } = await (await sendEvent(hookpost, mailbox, { hello: 'world' })).json();
    expect(await pathsReached(tracking_number, 1)).toEqual(['/all']);
  });

  test('an event no endpoint accepts is stored as unrouted and answered as such', async () => {
    const narrow = await createMailbox(hookpost, {
      name: 'Narrow',
      target_url: `${receiver.url}/narrow`,
      event_types: ['only.this'],
    });
    const response = await sendEvent(hookpost, narrow, { event: 'something.else' });
    expect(response.status).toBe(202);
    const ack = await response.json();
    expect(ack.status).toBe('unrouted');
    const event = await eventByTracking(hookpost, ack.tracking_number);
    expect(event).toMatchObject({ status: 'unrouted', deliveries: [], target_url: null, event_type: 'something.else' });
    expect(await db.count('graphile_worker._private_jobs', `payload::text like '%${ack.tracking_number}%'`)).toBe(0);
  });

  test('a disabled endpoint gets no new deliveries', async () => {
    const solo = await createMailbox(hookpost, { name: 'Solo', target_url: `${receiver.url}/solo` });
    expect((await hookpost.api(`/api/endpoints/${solo.endpoint_id}/disable`, { method: 'POST' })).status).toBe(200);
    const ack = await (await sendEvent(hookpost, solo, { event: 'x' })).json();
    expect(ack.status).toBe('unrouted');
  });
});
