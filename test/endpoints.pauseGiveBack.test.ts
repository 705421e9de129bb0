/**
 * Pausing an endpoint while a job's claimed deliveries wait for their turn: the send gate
 * gives them back, held. Resumed, every one of them must go out, including those given back
 * before the endpoint had a health row (a healthy endpoint that never needed one).
 */
import { expect, test } from 'vitest';
import type { Event } from '../clients/typescript/src/types.ts';
import { createMailbox, sendEvent } from './support/hookpost.ts';
import { useHookpost, useReceiver } from './support/hooks.ts';
import { listAll } from './support/listAll.ts';
import { startReceiver } from './support/receiver.ts';

const { hookpost } = useHookpost();
const receiver = useReceiver({ status: 200, delayMs: 300 });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The statuses of every delivery to the endpoint, as the events list shows them. */
async function deliveryStatuses(endpointId: string): Promise<string[]> {
  const events = await listAll<Event>(hookpost, `/api/webhooks?endpoint_id=${endpointId}&limit=100`);
  return events.flatMap((event) =>
    event.deliveries.filter((delivery) => delivery.endpoint_id === endpointId).map((delivery) => delivery.status),
  );
}

test('deliveries given back by the gate during a pause are all delivered after resume', async () => {
  const mailbox = await createMailbox(hookpost, { name: 'pause', target_url: receiver.url });
  const endpointId = mailbox.endpoint_id!;
  // One burst, claimed by a few jobs; the endpoint's share (2 of 8 slots) sends it slowly.
  const burst = await Promise.all(
    Array.from({ length: 40 }, (_, i) => sendEvent(hookpost, mailbox, { event: 'x', i })),
  );
  expect(burst.every((response) => response.status === 202)).toBe(true);
  await receiver.waitForRequests(2);
  expect((await hookpost.api(`/api/endpoints/${endpointId}/pause`, { method: 'POST' })).status).toBe(200);
  await sleep(2_000);
  // More arrive while paused: held at the claim (that claim makes the endpoint's health row).
  await Promise.all(Array.from({ length: 3 }, (_, i) => sendEvent(hookpost, mailbox, { event: 'x', i: 40 + i })));
  await sleep(1_500);
  expect((await hookpost.api(`/api/endpoints/${endpointId}/resume`, { method: 'POST' })).status).toBe(200);

  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if ((await deliveryStatuses(endpointId)).every((status) => status === 'delivered')) break;
    await sleep(500);
  }
  expect(await deliveryStatuses(endpointId)).toEqual(Array(43).fill('delivered'));
});

test('an endpoint paused while its circuit is open sends again within seconds of resuming', async () => {
  const failing = await startReceiver({ status: 500 });
  try {
    const mailbox = await createMailbox(hookpost, { name: 'half-open', target_url: failing.url });
    const endpointId = mailbox.endpoint_id!;
    const patched = await hookpost.api(`/api/endpoints/${endpointId}`, {
      method: 'PATCH',
      json: { health_policy: { failure_threshold: 1, cool_down_ms: 1_000, max_cool_down_ms: 1_000 } },
    });
    expect(patched.status).toBe(200);
    await sendEvent(hookpost, mailbox, { event: 'x', i: 0 });
    await failing.waitForRequests(1);
    await sleep(500);
    expect((await hookpost.api(`/api/endpoints/${endpointId}/pause`, { method: 'POST' })).status).toBe(200);
    await Promise.all([1, 2, 3].map((i) => sendEvent(hookpost, mailbox, { event: 'x', i })));
    // The rest ends while paused, and the health tick (every 5 s) comes by.
    await sleep(7_000);
    failing.reply({ status: 200 });
    const resumedAt = Date.now();
    expect((await hookpost.api(`/api/endpoints/${endpointId}/resume`, { method: 'POST' })).status).toBe(200);
    while (Date.now() - resumedAt < 30_000) {
      if ((await deliveryStatuses(endpointId)).every((status) => status === 'delivered')) break;
      await sleep(500);
    }
    expect(await deliveryStatuses(endpointId)).toEqual(Array(4).fill('delivered'));
    const health = await hookpost.api(`/api/endpoints/${endpointId}/health`);
    expect(((await health.json()) as { circuit_state: string }).circuit_state).toBe('closed');
  } finally {
    await failing.close();
  }
});
