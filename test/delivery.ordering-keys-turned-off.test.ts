/**
 * Ordering keys turned off while lines wait: what waited behind a key's head must go at
 * once, in the update's transaction, not stay queued until a reconciler notices (the
 * reconciler is far away here: only the update can move them). With the head failing and
 * retrying, held (endpoint paused), or in flight, and off then on again through GraphQL's
 * updateEndpoint.
 */
import { describe, expect, test, vi } from 'vitest';
import { eventByTracking } from './support/events.ts';
import { gqlData } from './support/graphql.ts';
import { useHookpost, useReceiver } from './support/hooks.ts';
import { createMailbox, sendEvent } from './support/hookpost.ts';

const { hookpost } = useHookpost({ reconcileIntervalMs: 600_000, reconcileAfterMs: 600_000 });
const receiver = useReceiver({ status: 200 });

const seqOf = (body: Buffer) => (JSON.parse(body.toString('utf8')) as { data: { seq: number } }).data.seq;
const statusOf = async (trackingNumber: string) =>
  (await eventByTracking(hookpost, trackingNumber)).deliveries.map((delivery) => delivery.status).join();

async function orderedEndpoint(name: string, fields: Record<string, unknown> = {}) {
  const mailbox = await createMailbox(hookpost, { name });
  const created = await hookpost.api(`/api/mailboxes/${mailbox.id}/endpoints`, {
    method: 'POST',
    json: { url: `${receiver.url}/hook-${name.replace(/\W/g, '')}`, ordered_by_key: true, ...fields },
  });
  expect(created.status).toBe(201);
  const endpoint = (await created.json()) as { id: string };
  const send = async (seq: number, key = 'k') => {
    const response = await sendEvent(hookpost, mailbox, { data: { seq } }, { 'x-ordering-key': key });
    expect(response.status).toBe(202);
    return ((await response.json()) as { tracking_number: string }).tracking_number;
  };
  const seen = () =>
    receiver.requests.filter((r) => r.path.endsWith(name.replace(/\W/g, ''))).map((r) => seqOf(r.body));
  return { mailbox, endpoint, send, seen };
}

const patch = (id: string, json: Record<string, unknown>) =>
  hookpost.api(`/api/endpoints/${id}`, { method: 'PATCH', json });

describe('ordering keys turned off', () => {
  test('sends what waited behind a failing head at once; the head keeps its retries', async () => {
    // The head fails and waits a minute for its retry; the rest wait behind it.
    const { endpoint, send, seen } = await orderedEndpoint('failing head', {
      retry_policy: { max_attempts: 2, base_delay_ms: 60_000 },
    });
    receiver.reply((request) => ({ status: seqOf(request.body) === 0 ? 503 : 200 }));
    try {
      const head = await send(0);
      await vi.waitFor(() => expect(seen()).toEqual([0]), { timeout: 10_000, interval: 50 });
      const rest = [await send(1), await send(2), await send(3)];
      await vi.waitFor(async () => expect(await statusOf(head)).toBe('queued'), { timeout: 10_000, interval: 100 });
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(seen()).toEqual([0]);
      expect(await Promise.all(rest.map(statusOf))).toEqual(['queued', 'queued', 'queued']);

      expect((await patch(endpoint.id, { ordered_by_key: false })).status).toBe(200);
      await vi.waitFor(
        async () => expect(await Promise.all(rest.map(statusOf))).toEqual(['delivered', 'delivered', 'delivered']),
        { timeout: 15_000, interval: 100 },
      );
      expect(seen().slice(1).sort()).toEqual([1, 2, 3]);
      // The head was not sent again early: it waits for its retry.
      expect(seen().filter((seq) => seq === 0)).toHaveLength(1);
      expect(await statusOf(head)).toBe('queued');
    } finally {
      receiver.reply({ status: 200 });
    }
  }, 60_000);

  test('while the endpoint is paused: everything goes once it resumes', async () => {
    const { endpoint, send, seen } = await orderedEndpoint('paused one');
    expect((await hookpost.api(`/api/endpoints/${endpoint.id}/pause`, { method: 'POST' })).status).toBe(200);
    const all = [await send(0), await send(1), await send(2)];
    await vi.waitFor(async () => expect(await statusOf(all[0]!)).toBe('held'), { timeout: 10_000, interval: 100 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await patch(endpoint.id, { ordered_by_key: false })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(seen()).toEqual([]);
    expect((await hookpost.api(`/api/endpoints/${endpoint.id}/resume`, { method: 'POST' })).status).toBe(200);
    await vi.waitFor(
      async () => expect(await Promise.all(all.map(statusOf))).toEqual(['delivered', 'delivered', 'delivered']),
      { timeout: 15_000, interval: 100 },
    );
    expect(seen().sort()).toEqual([0, 1, 2]);
  }, 60_000);

  test('while the head is in flight: the rest go alongside it', async () => {
    const { endpoint, send, seen } = await orderedEndpoint('in flight');
    receiver.reply((request) => ({ status: 200, delayMs: seqOf(request.body) === 0 ? 4_000 : 0 }));
    try {
      const head = await send(0);
      await vi.waitFor(() => expect(seen()).toEqual([0]), { timeout: 10_000, interval: 50 });
      const rest = [await send(1), await send(2)];
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await Promise.all(rest.map(statusOf))).toEqual(['queued', 'queued']);
      expect((await patch(endpoint.id, { ordered_by_key: false })).status).toBe(200);
      await vi.waitFor(async () => expect(await Promise.all(rest.map(statusOf))).toEqual(['delivered', 'delivered']), {
        timeout: 3_000,
        interval: 100,
      });
      await vi.waitFor(async () => expect(await statusOf(head)).toBe('delivered'), { timeout: 10_000, interval: 100 });
      expect(seen().filter((seq) => seq === 0)).toHaveLength(1);
    } finally {
      receiver.reply({ status: 200 });
    }
  }, 60_000);

  test('off then on again through GraphQL: new events are in line again, nothing is left behind', async () => {
    const { endpoint, send, seen } = await orderedEndpoint('graphql');
    receiver.reply((request) => ({ status: 200, delayMs: seqOf(request.body) === 0 ? 1_500 : 0 }));
    try {
      const UPDATE = `mutation ($id: ID!, $input: UpdateEndpointInput!) { updateEndpoint(id: $id, input: $input) { id orderedByKey } }`;
      const first = [await send(0), await send(1)];
      await vi.waitFor(() => expect(seen()).toEqual([0]), { timeout: 10_000, interval: 50 });
      const off = await gqlData(hookpost, UPDATE, {
        id: endpoint.id,
        input: { orderedByKey: false, description: 'x' },
      });
      expect(off.updateEndpoint.orderedByKey).toBe(false);
      await vi.waitFor(async () => expect(await statusOf(first[1]!)).toBe('delivered'), {
        timeout: 3_000,
        interval: 100,
      });
      const on = await gqlData(hookpost, UPDATE, { id: endpoint.id, input: { orderedByKey: true } });
      expect(on.updateEndpoint.orderedByKey).toBe(true);
      const later = [await send(10), await send(11), await send(12)];
      await vi.waitFor(
        async () => expect(await Promise.all([...first, ...later].map(statusOf))).toEqual(Array(5).fill('delivered')),
        { timeout: 15_000, interval: 100 },
      );
      expect(seen().filter((seq) => seq >= 10)).toEqual([10, 11, 12]);
    } finally {
      receiver.reply({ status: 200 });
    }
  }, 60_000);
});
