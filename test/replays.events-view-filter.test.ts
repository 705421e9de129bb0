/**
 * A replay of an events view: the dead-letter filter narrows by the deliveries' events as
 * the event history does (type, payload field, when received, tracking numbers, event
 * status), over GraphQL and REST alike, so the dashboard's events filter becomes one
 * server-side replay of every failed delivery it covers, not only the rows on screen.
 * Bad event fields are refused (422, validation_failed) and start nothing.
 */
import { beforeAll, describe, expect, test, vi } from 'vitest';
import { gql, gqlData } from './support/graphql.ts';
import { createMailbox, sendEvent } from './support/hookpost.ts';
import { useHookpost, useReceiver } from './support/hooks.ts';

const { hookpost } = useHookpost();
const receiver = useReceiver({ status: 500 });
let endpointId: string;
/** Tracking numbers by what was sent. */
const sent: Record<string, string> = {};

const waitFor = (check: () => Promise<void> | void, timeout = 20_000) => vi.waitFor(check, { timeout, interval: 100 });

beforeAll(async () => {
  const mailbox = await createMailbox(hookpost, { name: 'Shop', target_url: `${receiver.url}/hook` });
  endpointId = mailbox.endpoint_id!;
  await hookpost.api(`/api/endpoints/${endpointId}`, {
    method: 'PATCH',
    json: { retry_policy: { max_attempts: 1 }, health_policy: { failure_threshold: 1000, min_attempts: 100000 } },
  });
  for (const [name, body] of Object.entries({
    orderA: { event: 'order.created', data: { customer_id: 'C-42', n: 1 } },
    orderB: { event: 'order.created', data: { customer_id: 'C-7', n: 2 } },
    invoice: { event: 'invoice.paid', data: { customer_id: 'C-42', n: 3 } },
  })) {
    const response = await sendEvent(hookpost, mailbox, body);
    sent[name] = (await response.json()).tracking_number;
  }
  await waitFor(async () => {
    const { events } = await gqlData(
      hookpost,
      `{ events(first: 10, filter: { status: [failed] }) { edges { node { id } } } }`,
    );
    expect(events.edges).toHaveLength(3);
  });
}, 120_000);

const preview = async (filter: object) =>
  (await gqlData(hookpost, `query($f: DeadLetterFilter) { replayPreview(filter: $f) }`, { f: filter })).replayPreview;

describe("a replay of an events view's failed deliveries", () => {
  test('the preview counts the failed deliveries of the events the view matches', async () => {
    expect(await preview({})).toBe(3);
    expect(await preview({ eventTypes: ['order.*'] })).toBe(2);
    expect(await preview({ payload: [{ path: 'data.customer_id', equals: 'C-42' }] })).toBe(2);
    expect(await preview({ eventTypes: ['order.*'], payload: [{ path: 'data.customer_id', equals: 'C-42' }] })).toBe(1);
    expect(await preview({ payload: [{ path: 'data.n', equals: '3' }] })).toBe(1);
    expect(await preview({ eventStatuses: ['failed'] })).toBe(3);
    expect(await preview({ eventStatuses: ['delivered'] })).toBe(0);
    expect(await preview({ trackingNumbers: [sent.orderB, sent.invoice] })).toBe(2);
    expect(await preview({ trackingNumberPrefix: sent.orderA!.slice(0, 36) })).toBe(1);
    const now = Date.now();
    expect(await preview({ receivedSince: new Date(now - 3_600_000).toISOString() })).toBe(3);
    expect(await preview({ receivedUntil: new Date(now - 3_600_000).toISOString() })).toBe(0);
    // REST takes the same filter in its own words.
    const rest = await hookpost.api('/api/replays/preview', {
      method: 'POST',
      json: { event_types: ['order.*'], payload: [{ path: 'data.customer_id', equals: 'C-42' }] },
    });
    expect(await rest.json()).toEqual({ count: 1 });
    const listed = await hookpost.api('/api/dead-letters?event_types=invoice.*&payload=data.customer_id%3DC-42');
    expect(listed.status).toBe(200);
    expect(((await listed.json()) as unknown[]).length).toBe(1);
  });

  test('bad event fields are refused with 422 and start nothing', async () => {
    const before = (await gqlData(hookpost, `{ replays { id } }`)).replays.length;
    for (const json of [
      { tracking_number_prefix: 'xyz' },
      { event_types: ['order.(' + 'x'.repeat(300)] },
      { payload: [{ path: '', equals: 'C-42' }] },
      { payload: [{ path: 'data.customer_id', equals: 'C-42', extra: 1 }] },
      { received_since: 'yesterday' },
      { received_since: '2026-01-02T00:00:00Z', received_until: '2026-01-01T00:00:00Z' },
      { event_statuses: ['lost'] },
      { tracking_numbers: ['not-a-uuid'] },
    ]) {
      const response = await hookpost.api('/api/replays', { method: 'POST', json });
      expect(response.status, JSON.stringify(json)).toBe(422);
      expect((await response.json()).error.code).toBe('validation_failed');
    }
    const graphql = await gql(hookpost, `mutation { startReplay(filter: { trackingNumberPrefix: "xyz" }) { id } }`);
    expect(graphql.errors?.[0]?.extensions?.code).toBe('validation_failed');
    expect((await gqlData(hookpost, `{ replays { id } }`)).replays).toHaveLength(before);
  });

  test('a replay by event filter sends only the matching failed deliveries again', async () => {
    receiver.reply({ status: 200 });
    const filter = { eventTypes: ['order.*'], payload: [{ path: 'data.customer_id', equals: 'C-42' }] };
    const { startReplay } = await gqlData(
      hookpost,
      `mutation($f: DeadLetterFilter) { startReplay(filter: $f) { id total } }`,
      { f: filter },
    );
    expect(startReplay.total).toBe(1);
    await waitFor(async () => {
      const { replay } = await gqlData(hookpost, `query($id: ID!) { replay(id: $id) { status requeued } }`, {
        id: startReplay.id,
      });
      expect(replay).toEqual({ status: 'finished', requeued: 1 });
    });
    await waitFor(async () => {
      const { events } = await gqlData(hookpost, `{ events(first: 10) { edges { node { id status } } } }`);
      const status = Object.fromEntries(
        events.edges.map((e: { node: { id: string; status: string } }) => [e.node.id, e.node.status]),
      );
      expect(status).toEqual({ [sent.orderA!]: 'delivered', [sent.orderB!]: 'failed', [sent.invoice!]: 'failed' });
    });
  });
});
