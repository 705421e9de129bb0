/**
 * Manual retry (`POST /api/webhooks/{tracking_number}/retry`): failed deliveries get one
 * `manual` attempt; queued or in-flight ones are never sent twice; unknown events 404.
 */
import { beforeAll, describe, expect, test, vi } from 'vitest';
import { createAccessToken } from '../server/auth/accessTokens.ts';
import { createMailbox, sendEvent, type CreatedMailbox } from './support/hookpost.ts';
import { useHookpost, useReceiver } from './support/hooks.ts';

const { db, hookpost } = useHookpost();
const receiver = useReceiver({ status: 500 });
let mailbox: CreatedMailbox;

beforeAll(async () => {
  mailbox = await createMailbox(hookpost, { name: 'Retry me' });
  const endpoint = await hookpost.api(`/api/mailboxes/${mailbox.id}/endpoints`, {
    method: 'POST',
    json: { url: `${receiver.url}/hook`, retry_policy: { schedule: [100, 100] } },
  });
  expect(endpoint.status).toBe(201);
});

async function event(trackingNumber: string) {
  return (await hookpost.api(`/api/webhooks/${trackingNumber}`)).json();
}

async function failedEvent(): Promise<string> {
  receiver.reply({ status: 500 });
  const { tracking_number } = await (await sendEvent(hookpost, mailbox, { event: 'order.created' })).json();
  await vi.waitFor(async () => expect((await event(tracking_number)).status).toBe('failed'), {
    timeout: 5_000,
    interval: 50,
  });
  return tracking_number;
}

const retry = (trackingNumber: string, token?: string | null) =>
  hookpost.api(`/api/webhooks/${trackingNumber}/retry`, { method: 'POST', token });

describe('manual retry', () => {
  test('a failed event is retried once, manually, and turns delivered', async () => {
    const trackingNumber = await failedEvent();
    receiver.reply({ status: 200 });
    const response = await retry(trackingNumber);
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({
      message: 'Webhook retry initiated',
      tracking_number: trackingNumber,
      new_status: 'queued',
      delivery_ids: [expect.any(String)],
    });
    await vi.waitFor(async () => expect((await event(trackingNumber)).status).toBe('delivered'), {
      timeout: 5_000,
      interval: 50,
    });
    const attempts = (await event(trackingNumber)).deliveries[0].attempts;
    expect(
      attempts.map((a: { number: number; trigger: string; status_code: number }) => [
        a.number,
        a.trigger,
        a.status_code,
      ]),
    ).toEqual([
      [1, 'scheduled', 500],
      [2, 'scheduled', 500],
      [3, 'scheduled', 500],
      [4, 'manual', 200],
    ]);
  });

  test('a manual attempt that fails leaves the delivery failed (no new schedule)', async () => {
    const trackingNumber = await failedEvent();
    expect((await retry(trackingNumber)).status).toBe(202);
    await vi.waitFor(
      async () => {
        const current = await event(trackingNumber);
        expect(current.status).toBe('failed');
        expect(current.attempt_count).toBe(4);
      },
      { timeout: 5_000, interval: 50 },
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await event(trackingNumber)).attempt_count).toBe(4);
  });

  test('retrying a delivered event is refused and queues nothing', async () => {
    receiver.reply({ status: 200 });
    const { tracking_number } = await (await sendEvent(hookpost, mailbox, { event: 'ok' })).json();
    await vi.waitFor(async () => expect((await event(tracking_number)).status).toBe('delivered'), {
      timeout: 5_000,
      interval: 50,
    });
    const jobs = await db.count('graphile_worker._private_jobs');
    const response = await retry(tracking_number);
    expect(response.status).toBe(409);
    expect((await response.json()).error.code).toBe('not_retryable');
    expect(await db.count('graphile_worker._private_jobs')).toBe(jobs);
  });

  test('a delivery in flight is not duplicated by a retry', async () => {
    receiver.reply({ hang: true });
    const before = receiver.requests.length;
    const { tracking_number } = await (await sendEvent(hookpost, mailbox, { event: 'slow' })).json();
    await receiver.waitForRequests(before + 1);
    expect((await event(tracking_number)).deliveries[0].status).toBe('delivering');
    const response = await retry(tracking_number);
    expect(response.status).toBe(409);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.requests).toHaveLength(before + 1);
  });

  test('concurrent retries of one failed event queue it exactly once', async () => {
    const trackingNumber = await failedEvent();
    receiver.reply({ status: 200 });
    const statuses = await Promise.all(Array.from({ length: 6 }, () => retry(trackingNumber).then((r) => r.status)));
    expect(statuses.filter((s) => s === 202)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(5);
    await vi.waitFor(async () => expect((await event(trackingNumber)).status).toBe('delivered'), {
      timeout: 5_000,
      interval: 50,
    });
    expect((await event(trackingNumber)).attempt_count).toBe(4);
  });

  test('one delivery can be retried on its own', async () => {
    const trackingNumber = await failedEvent();
    receiver.reply({ status: 200 });
    const deliveryId = (await event(trackingNumber)).deliveries[0].id;
    const response = await hookpost.api(`/api/deliveries/${deliveryId}/retry`, { method: 'POST' });
    expect(response.status).toBe(202);
    await vi.waitFor(async () => expect((await event(trackingNumber)).status).toBe('delivered'), {
      timeout: 5_000,
      interval: 50,
    });
  });

  test.each([
    ['an unknown tracking number', '01234567-89ab-7def-8123-456789abcdef', 404, 'not_found'],
    ['a malformed tracking number', 'nope', 404, 'not_found'],
  ])('%s is a 404', async (_what, trackingNumber, status, code) => {
    const response = await retry(trackingNumber);
    expect(response.status).toBe(status);
    expect((await response.json()).error.code).toBe(code);
  });

  test('retrying needs an operator: anonymous is 401, a viewer 403', async () => {
    const trackingNumber = await failedEvent();
    expect((await retry(trackingNumber, null)).status).toBe(401);
    const admin = { tokenId: 'test', name: 'test', role: 'admin' as const };
    const { token } = await createAccessToken(hookpost.runtime, admin, { name: 'read only', role: 'viewer' });
    const forbidden = await retry(trackingNumber, token);
    expect(forbidden.status).toBe(403);
    expect((await forbidden.json()).error.code).toBe('forbidden');
    expect((await hookpost.api('/api/webhooks', { token })).status).toBe(200);
    expect((await event(trackingNumber)).status).toBe('failed');
  });
});
