/**
 * Delivery loops are bounded (server/events/hops.ts): an endpoint pointed at Hookpost's
 * own ingest URL turned one event into 122 in 3 s. Deliveries carry `x-hookpost-hops`,
 * ingest stores it with the event and refuses a request that has passed through Hookpost
 * 3 times, with 422 `delivery_loop` and nothing written.
 */
import { beforeAll, describe, expect, test, vi } from 'vitest';
import type { Event } from '../clients/typescript/src/types.ts';
import { gqlData } from './support/graphql.ts';
import { createMailbox, sendEvent, type CreatedMailbox } from './support/hookpost.ts';
import { useHookpost } from './support/hooks.ts';
import { listAll } from './support/listAll.ts';

const { db, hookpost } = useHookpost();
let mailbox: CreatedMailbox;

beforeAll(async () => {
  mailbox = await createMailbox(hookpost, { name: 'Loop' });
});

const eventsOfMailbox = () => listAll<Event>(hookpost, `/api/webhooks?mailbox_id=${mailbox.id}`);

describe('delivery loops', () => {
  test('a request that passed through Hookpost 3 times is refused and writes nothing', async () => {
    const before = (await eventsOfMailbox()).length;
    const refused = await sendEvent(hookpost, mailbox, { event: 'loop' }, { 'x-hookpost-hops': '3' });
    expect(refused.status).toBe(422);
    const body = await refused.json();
    expect(body.error.code).toBe('delivery_loop');
    expect(body.error.message).toMatch(/passed through Hookpost 3 times/);

    const malformed = await sendEvent(hookpost, mailbox, { event: 'loop' }, { 'x-hookpost-hops': 'many' });
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).error.code).toBe('bad_request');
    expect(await eventsOfMailbox()).toHaveLength(before);
  });

  test("an endpoint pointed at the mailbox's own ingest URL turns one event into three, not an endless stream", async () => {
    await gqlData(
      hookpost,
      `mutation($input: CreateEndpointInput!) { createEndpoint(input: $input) { endpoint { id } } }`,
      {
        input: {
          mailboxId: mailbox.id,
          url: `${hookpost.baseUrl}/webhooks/${mailbox.id}`,
          headers: [{ name: 'x-api-key', value: mailbox.api_key }],
          retryPolicy: { maxAttempts: 2, baseDelayMs: 100 },
        },
      },
    );
    const before = (await eventsOfMailbox()).length;
    expect((await sendEvent(hookpost, mailbox, { event: 'loop.start' })).status).toBe(202);

    // Settled: every delivery of the mailbox has ended, and the last one was refused.
    await vi.waitFor(
      async () => {
        const statuses = (await eventsOfMailbox()).flatMap((event) => event.deliveries.map(({ status }) => status));
        expect(statuses.length).toBeGreaterThan(0);
        expect(statuses.filter((status) => status !== 'delivered' && status !== 'failed')).toEqual([]);
        expect(statuses).toContain('failed');
      },
      { timeout: 30_000, interval: 100 },
    );

    const { rows: events } = await db.pool.query<{ hops: number }>(
      `select hops from event where mailbox_id = $1 order by id offset $2`,
      [mailbox.id, before],
    );
    expect(events.map((event) => event.hops)).toEqual([0, 1, 2]);
    const { rows: attempts } = await db.pool.query<{ status_code: number; hops: number }>(
      `select a.status_code, e.hops from attempt a join delivery d on d.id = a.delivery_id join event e on e.id = d.event_id
        where e.mailbox_id = $1 order by e.id, a.number`,
      [mailbox.id],
    );
    // The third event's delivery was refused on every attempt; nothing came of it.
    expect(attempts.map((attempt) => [attempt.hops, attempt.status_code])).toEqual([
      [0, 202],
      [1, 202],
      [2, 422],
      [2, 422],
    ]);
    expect(await eventsOfMailbox()).toHaveLength(before + 3);
  });
});
