/**
 * Ordering keys turned off while a line is blocked: the head of key "k" keeps failing and
 * retrying (its retry policy waits a minute), so the rest of its line waits behind it
 * without jobs. Turning `ordered_by_key` off must let them go at once, as unkeyed
 * deliveries do, in the same update, not leave them queued until a reconciler notices.
 * The reconciler is far away here: only the update can move them.
 */
import { describe, expect, test, vi } from 'vitest';
import { eventByTracking } from './support/events.ts';
import { useHookpost, useReceiver } from './support/hooks.ts';
import { createMailbox, sendEvent } from './support/hookpost.ts';

const { hookpost } = useHookpost({ reconcileIntervalMs: 600_000, reconcileAfterMs: 600_000 });
const receiver = useReceiver({ status: 200 });

const seqOf = (body: Buffer) => (JSON.parse(body.toString('utf8')) as { data: { seq: number } }).data.seq;

describe('an endpoint that stops being ordered by key', () => {
  test('sends what waited behind a failing head at once; the head keeps its retries', async () => {
    receiver.reply((request) => ({ status: seqOf(request.body) === 0 ? 503 : 200 }));
    const mailbox = await createMailbox(hookpost, { name: 'ordered, then not' });
    const created = await hookpost.api(`/api/mailboxes/${mailbox.id}/endpoints`, {
      method: 'POST',
      json: {
        url: `${receiver.url}/hook`,
        ordered_by_key: true,
        retry_policy: { max_attempts: 2, base_delay_ms: 60_000 },
      },
    });
    expect(created.status).toBe(201);
    const endpoint = (await created.json()) as { id: string };
    const send = async (seq: number) => {
      const response = await sendEvent(hookpost, mailbox, { data: { seq } }, { 'x-ordering-key': 'k' });
      expect(response.status).toBe(202);
      return ((await response.json()) as { tracking_number: string }).tracking_number;
    };
    const head = await send(0);
    await receiver.waitForRequests(1);
    const rest = [await send(1), await send(2), await send(3)];
    const statusOf = async (trackingNumber: string) =>
      (await eventByTracking(hookpost, trackingNumber)).deliveries.map((delivery) => delivery.status).join();
    // The head failed and waits for its retry; the rest wait behind it.
    await vi.waitFor(async () => expect(await statusOf(head)).toBe('queued'), { timeout: 10_000, interval: 100 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.requests.map((request) => seqOf(request.body))).toEqual([0]);
    expect(await Promise.all(rest.map(statusOf))).toEqual(['queued', 'queued', 'queued']);

    const updated = await hookpost.api(`/api/endpoints/${endpoint.id}`, {
      method: 'PATCH',
      json: { ordered_by_key: false },
    });
    expect(updated.status).toBe(200);
    await vi.waitFor(
      async () => expect(await Promise.all(rest.map(statusOf))).toEqual(['delivered', 'delivered', 'delivered']),
      { timeout: 15_000, interval: 100 },
    );
    expect(
      receiver.requests
        .map((request) => seqOf(request.body))
        .slice(1)
        .sort(),
    ).toEqual([1, 2, 3]);
    // The head was not sent again early: it waits for its retry.
    expect(receiver.requests.filter((request) => seqOf(request.body) === 0)).toHaveLength(1);
    expect(await statusOf(head)).toBe('queued');
  }, 60_000);
});
