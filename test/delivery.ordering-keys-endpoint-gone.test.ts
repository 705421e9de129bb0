/**
 * Ordering keys and an endpoint that stopped being active while a line waited: a claim
 * that finds the endpoint disabled cancels the delivery instead of sending it (the
 * endpoint changed behind a cached route, or between its switch and a job already
 * running). That delivery leaves its key's line, so the next one must be woken and be
 * cancelled in its turn, not left `queued` without a job until the reconciler finds it,
 * one delivery per pass. The reconciler is far away here: only the wake can move the line.
 */
import { describe, expect, test, vi } from 'vitest';
import { eventByTracking } from './support/events.ts';
import { useHookpost, useReceiver } from './support/hooks.ts';
import { createMailbox, sendEvent } from './support/hookpost.ts';

const { db, hookpost } = useHookpost({ reconcileIntervalMs: 600_000, reconcileAfterMs: 600_000 });
const receiver = useReceiver({ status: 200 });

const seqOf = (body: Buffer) => (JSON.parse(body.toString('utf8')) as { data: { seq: number } }).data.seq;

describe('a line whose endpoint is no longer active', () => {
  test('is cancelled to its end once its head leaves, not left waiting', async () => {
    // The head's answer takes a while: the rest of its line waits behind it meanwhile.
    receiver.reply((request) => (seqOf(request.body) === 0 ? { status: 200, delayMs: 8_000 } : { status: 200 }));
    const mailbox = await createMailbox(hookpost, { name: 'ordered, then gone' });
    const created = await hookpost.api(`/api/mailboxes/${mailbox.id}/endpoints`, {
      method: 'POST',
      json: { url: `${receiver.url}/hook`, ordered_by_key: true },
    });
    expect(created.status).toBe(201);
    const endpoint = (await created.json()) as { id: string };
    const send = async (seq: number) => {
      const response = await sendEvent(hookpost, mailbox, { data: { seq } }, { 'x-ordering-key': 'gone' });
      expect(response.status).toBe(202);
      return ((await response.json()) as { tracking_number: string }).tracking_number;
    };
    const head = await send(0);
    await receiver.waitForRequests(1);
    const rest = [await send(1), await send(2)];
    // Disabled behind Hookpost's back: what a claim sees when the switch's own
    // cancellation did not reach these deliveries.
    await db.pool.query('update endpoint set enabled = false where id = $1', [endpoint.id]);

    const statuses = async () =>
      Promise.all(
        [head, ...rest].map(async (trackingNumber) => {
          const { deliveries } = await eventByTracking(hookpost, trackingNumber);
          return deliveries.map((delivery) => delivery.status).join();
        }),
      );
    await vi.waitFor(async () => expect(await statuses()).toEqual(['delivered', 'cancelled', 'cancelled']), {
      timeout: 30_000,
      interval: 200,
    });
    expect(receiver.requests).toHaveLength(1);
  }, 60_000);
});
