/**
 * Ordering keys and "nothing is stuck" (invariant 7): a delivery waiting behind an earlier
 * one of its key has no job, on purpose, and the reconciler must leave it alone however long
 * it waits; but if the end of the head never woke it (a crash between the two, simulated
 * here by ending the head behind Hookpost's back), the reconciler finds it stranded and puts
 * it back in line. The reconciler runs every 300 ms and takes deliveries untouched for 1 s.
 */
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { gqlData } from './support/graphql.ts';
import { createMailbox, sendEvent, startTestHookpost, type TestHookpost } from './support/hookpost.ts';
import { startReceiver, type Receiver } from './support/receiver.ts';

let db: TestDatabase;
let hookpost: TestHookpost;
let receiver: Receiver;

beforeAll(async () => {
  db = await createTestDatabase();
  receiver = await startReceiver({ status: 200 });
  hookpost = await startTestHookpost(db.url, { reconcileIntervalMs: 300, reconcileAfterMs: 1_000 });
});

afterAll(async () => {
  await hookpost?.stop();
  await receiver?.close();
  await db?.drop();
});

const seqOf = (body: Buffer) => (JSON.parse(body.toString('utf8')) as { data: { seq: number } }).data.seq;

describe('a delivery waiting behind its ordering key', () => {
  test('is not taken for stranded while its head is in flight; once the head ended without waking it, the reconciler sends it', async () => {
    // The head's request hangs: it stays in flight while the reconciler makes several passes.
    receiver.reply((request) => (seqOf(request.body) === 0 ? { hang: true } : { status: 200 }));
    const mailbox = await createMailbox(hookpost, { name: 'ordered reconcile' });
    const created = await hookpost.api(`/api/mailboxes/${mailbox.id}/endpoints`, {
      method: 'POST',
      json: { url: `${receiver.url}/hook`, ordered_by_key: true, timeout_ms: 60_000 },
    });
    expect(created.status).toBe(201);
    const send = async (seq: number) => {
      const response = await sendEvent(hookpost, mailbox, { data: { seq } }, { 'x-ordering-key': 'r' });
      const { tracking_number } = (await response.json()) as { tracking_number: string };
      const event = await (await hookpost.api(`/api/webhooks/${tracking_number}`)).json();
      return event.deliveries[0].id as string;
    };
    const head = await send(0);
    await receiver.waitForRequests(1);
    const next = await send(1);
    const row = async () =>
      (
        await gqlData<{ delivery: { status: string; updatedAt: string } }>(
          hookpost,
          `query($id: ID!) { delivery(id: $id) { status updatedAt } }`,
          { id: next },
        )
      ).delivery;
    const before = await row();
    expect(before.status).toBe('queued');

    // Several reconciler passes past the 1 s it waits: the waiting delivery is not touched.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await row()).toEqual(before);
    expect(receiver.requests.map((request) => seqOf(request.body))).toEqual([0]);

    // The head ends without the wake (as if its worker crashed right after): the line is free,
    // the waiting delivery has no job, and only the reconciler can find it.
    await db.pool.query(`update delivery set status = 'cancelled', claimed_by = null where id = $1`, [head]);
    await vi.waitFor(() => expect(receiver.requests.map((request) => seqOf(request.body))).toEqual([0, 1]), {
      timeout: 20_000,
      interval: 100,
    });
    await vi.waitFor(async () => expect((await row()).status).toBe('delivered'), { timeout: 10_000, interval: 100 });
  }, 60_000);
});
