/**
 * The default retry policy is the original spec's: attempt 1 at once, attempt 2 after
 * 2 s, attempt 3 after 4 s, then the delivery is `failed`. Measured with tolerances on
 * the receiver's clock; nothing sleeps, the test polls for state.
 */
import { describe, expect, test, vi } from 'vitest';
import { createMailbox, sendEvent } from './support/hookpost.ts';
import { useHookpost, useReceiver } from './support/hooks.ts';

const { hookpost } = useHookpost();
const receiver = useReceiver({ status: 500, body: 'down' });

async function eventStatus(trackingNumber: string) {
  return (await (await hookpost.api(`/api/webhooks/${trackingNumber}`)).json()) as {
    status: string;
    attempt_count: number;
    deliveries: {
      status: string;
      next_attempt_at: string | null;
      attempts: { number: number; status_code: number; error_kind: string }[];
    }[];
  };
}

describe('the default retry schedule', () => {
  test('a 500 is tried at 0 s, +2 s, +4 s and then marked failed', async () => {
    const mailbox = await createMailbox(hookpost, { name: 'Flaky', target_url: `${receiver.url}/flaky` });
    const sentAt = Date.now();
    const { tracking_number } = await (await sendEvent(hookpost, mailbox, { event: 'order.created' })).json();

    const [first, second, third] = await receiver.waitForRequests(3, 15_000);
    // Never early; late by at most the worker's poll interval (500 ms) and a second for a
    // loaded CI machine: still far from the next step of any other schedule (4 s, 8 s).
    expect(first!.at - sentAt).toBeLessThan(1_500);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1_900);
    expect(second!.at - first!.at).toBeLessThan(3_500);
    expect(third!.at - second!.at).toBeGreaterThanOrEqual(3_900);
    expect(third!.at - second!.at).toBeLessThan(5_500);

    await vi.waitFor(async () => expect((await eventStatus(tracking_number)).status).toBe('failed'), {
      timeout: 5_000,
      interval: 100,
    });
    const event = await eventStatus(tracking_number);
    expect(event.attempt_count).toBe(3);
    expect(event.deliveries[0]).toMatchObject({ status: 'failed', next_attempt_at: null });
    expect(event.deliveries[0]!.attempts.map((a) => [a.number, a.status_code, a.error_kind])).toEqual([
      [1, 500, 'http_status'],
      [2, 500, 'http_status'],
      [3, 500, 'http_status'],
    ]);

    // Nothing more arrives after the delivery has failed.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(receiver.requests).toHaveLength(3);
  });

  test('while waiting for a retry the delivery is queued with its next attempt time', async () => {
    receiver.reply({ status: 503 });
    const mailbox = await createMailbox(hookpost, { name: 'Waiting', target_url: `${receiver.url}/waiting` });
    const { tracking_number } = await (await sendEvent(hookpost, mailbox, { event: 'x' })).json();
    await vi.waitFor(
      async () => {
        const event = await eventStatus(tracking_number);
        expect(event.status).toBe('delivering');
        expect(event.deliveries[0]!.status).toBe('queued');
        expect(Date.parse(event.deliveries[0]!.next_attempt_at!)).toBeGreaterThan(Date.now());
      },
      { timeout: 10_000, interval: 50 },
    );
  });

  test('a receiver that recovers gets the retry and the event turns delivered', async () => {
    let calls = 0;
    receiver.reply(() => (++calls === 1 ? { status: 502 } : { status: 204 }));
    const mailbox = await createMailbox(hookpost, { name: 'Recovers', target_url: `${receiver.url}/recovers` });
    const { tracking_number } = await (await sendEvent(hookpost, mailbox, { event: 'x' })).json();
    await vi.waitFor(async () => expect((await eventStatus(tracking_number)).status).toBe('delivered'), {
      timeout: 6_000,
      interval: 100,
    });
    expect((await eventStatus(tracking_number)).attempt_count).toBe(2);
  });

  test('a per-endpoint policy is honoured (explicit schedule)', async () => {
    receiver.reply({ status: 500 });
    const mailbox = await createMailbox(hookpost, { name: 'Custom' });
    const created = await hookpost.api(`/api/mailboxes/${mailbox.id}/endpoints`, {
      method: 'POST',
      json: { url: `${receiver.url}/custom`, retry_policy: { schedule: [300, 300] } },
    });
    expect(created.status).toBe(201);
    const before = receiver.requests.length;
    const { tracking_number } = await (await sendEvent(hookpost, mailbox, { event: 'x' })).json();
    await vi.waitFor(async () => expect((await eventStatus(tracking_number)).status).toBe('failed'), {
      timeout: 10_000,
      interval: 50,
    });
    const requests = receiver.requests.slice(before).filter((r) => r.path === '/custom');
    expect(requests).toHaveLength(3);
    // 300 + 300 ms, each retry up to a poll interval (500 ms) late, and room for a loaded CI;
    // the default schedule would take 6 s.
    expect(requests[2]!.at - requests[0]!.at).toBeLessThan(4_000);
  });
});
