/**
 * Many subscribers of one mailbox share the work of a change: subscribers of the same
 * field and arguments get the same batches from one feed, and the rows a batch shows are
 * read once per document, not once per subscriber (server/graphql/live/). So a burst
 * costs the database as many statements with 40 dashboards watching the events list as
 * with one; in the issue, 300 subscriptions each re-reading per update took single
 * ingest requests from 15 ms to 3.25 s.
 *
 * Every statement on Hookpost's pools is counted (as in graphql.query-count.test.ts).
 * The subscribers use the dashboard's own documents of the events list. The burst is the
 * changes ingest and the worker publish for 30 events and their 60 deliveries, published
 * on the real change bus in one notification, so that every feed gathers it in one window
 * however fast this machine is: the count then depends only on who is watching. The api
 * role runs alone, so no worker adds statements of its own.
 */
import { print } from 'graphql';
import pg from 'pg';
import { beforeAll, expect, test } from 'vitest';
import { EventRowsUpdatedDocument, EventsReceivedDocument } from '../web/src/generated/graphql.ts';
import { subscribeWs, type Subscription } from './support/graphql.ts';
import { createMailbox, sendEvent, type CreatedMailbox } from './support/hookpost.ts';
import { useHookpost, useReceiver } from './support/hooks.ts';

const receiver = useReceiver();
const { db, hookpost } = useHookpost({ role: 'api', liveMaxPerToken: 1_000 });
let mailbox: CreatedMailbox;
const events: string[] = [];
const deliveries: { id: string; eventId: string; endpointId: string }[] = [];

const EVENTS = 30;
const EVENTS_LIVE = print(EventsReceivedDocument);
const ROWS_LIVE = print(EventRowsUpdatedDocument);

interface EventsPayload {
  eventReceived: { events: { id: string }[] };
}
interface RowsPayload {
  deliveryUpdated: { updates: { delivery: { id: string } }[] };
}

beforeAll(async () => {
  mailbox = await createMailbox(hookpost, { name: 'Orders', target_url: `${receiver.url}/a` });
  const second = await hookpost.api(`/api/mailboxes/${mailbox.id}/endpoints`, {
    method: 'POST',
    json: { url: `${receiver.url}/b` },
  });
  expect(second.status).toBe(201);
  for (let i = 0; i < EVENTS; i += 1) {
    const answer = await sendEvent(hookpost, mailbox, { event: 'order.created', i });
    expect(answer.status).toBe(202);
    events.push(((await answer.json()) as { tracking_number: string }).tracking_number);
  }
  const pool = new pg.Pool({ connectionString: db.url, max: 1 });
  try {
    const { rows } = await pool.query<{ id: string; eventId: string; endpointId: string }>(
      'select d.id, d.event_id as "eventId", d.endpoint_id as "endpointId" from delivery d join event e on e.id = d.event_id where e.mailbox_id = $1',
      [mailbox.id],
    );
    deliveries.push(...rows);
  } finally {
    await pool.end();
  }
  expect(deliveries).toHaveLength(EVENTS * 2);
});

/** Runs `work` and returns how many statements went through Hookpost's pools meanwhile. */
async function countStatements(work: () => Promise<unknown>): Promise<number> {
  const pools = [hookpost.runtime.pool, hookpost.runtime.reads.pool];
  const ours = new WeakSet<pg.Client>();
  const onAcquire = (client: pg.PoolClient) => ours.add(client as unknown as pg.Client);
  for (const pool of pools) pool.on('acquire', onAcquire);
  let count = 0;
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    if (ours.has(this)) count += 1;
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  try {
    await work();
  } finally {
    pg.Client.prototype.query = original;
    for (const pool of pools) pool.off('acquire', onAcquire);
  }
  return count;
}

/** Publishes, in one notification, what ingest and the worker publish for these events and deliveries. */
async function publishBurst(eventIds: string[], deliveryRows: typeof deliveries) {
  for (const eventId of eventIds) hookpost.runtime.changes.publish({ kind: 'event', eventId, mailboxId: mailbox.id });
  for (const delivery of deliveryRows)
    hookpost.runtime.changes.publish({
      kind: 'delivery',
      deliveryId: delivery.id,
      eventId: delivery.eventId,
      mailboxId: mailbox.id,
      endpointId: delivery.endpointId,
      status: 'delivering',
      attempt: null,
    });
  await hookpost.runtime.changes.flush();
}

const eventIdsOf = (live: Subscription<EventsPayload>) =>
  new Set(live.payloads.flatMap((payload) => payload.data?.eventReceived.events.map((event) => event.id) ?? []));
const deliveryIdsOf = (live: Subscription<RowsPayload>) =>
  new Set(
    live.payloads.flatMap((payload) => payload.data?.deliveryUpdated.updates.map((update) => update.delivery.id) ?? []),
  );

/**
 * Opens `count` dashboards on the events list (both of its live documents), waits until
 * each is live, then counts the statements of a burst until every dashboard has shown all of it.
 */
async function burstWatchedBy(count: number): Promise<number> {
  const eventsLive = Array.from({ length: count }, () =>
    subscribeWs<EventsPayload>(hookpost, EVENTS_LIVE, { mailboxId: mailbox.id }),
  );
  const rowsLive = Array.from({ length: count }, () =>
    subscribeWs<RowsPayload>(hookpost, ROWS_LIVE, { mailboxId: mailbox.id }),
  );
  try {
    // Live once a change reaches each of them (a subscription starts a moment after it is asked for).
    const [firstEvent, ...burstEvents] = events;
    const firstDelivery = deliveries.find((delivery) => delivery.eventId === firstEvent)!;
    const burstDeliveries = deliveries.filter((delivery) => delivery.eventId !== firstEvent);
    for (;;) {
      await publishBurst([firstEvent!], [firstDelivery]);
      const live = await Promise.all([
        ...eventsLive.map((live) => live.until((payloads) => payloads.length > 0, 1_000).then(() => true)),
        ...rowsLive.map((live) => live.until((payloads) => payloads.length > 0, 1_000).then(() => true)),
      ]).catch(() => false);
      if (live) break;
    }
    const statements = await countStatements(async () => {
      await publishBurst(burstEvents, burstDeliveries);
      await Promise.all([
        ...eventsLive.map((live) => live.until(() => burstEvents.every((id) => eventIdsOf(live).has(id)))),
        ...rowsLive.map((live) => live.until(() => burstDeliveries.every(({ id }) => deliveryIdsOf(live).has(id)))),
      ]);
    });
    for (const live of [...eventsLive, ...rowsLive])
      expect(live.payloads.every((payload) => !payload.errors)).toBe(true);
    return statements;
  } finally {
    await Promise.all([...eventsLive, ...rowsLive].map((live) => live.close()));
  }
}

test('a burst to one mailbox costs about as many statements with 40 dashboards watching as with one, not 40 times as many', async () => {
  const one = await burstWatchedBy(1);
  const forty = await burstWatchedBy(40);
  // The events' rows and the deliveries' rows, each with their relations: a handful.
  expect(one).toBeGreaterThan(2);
  // The same reads, whoever watches (10 and 10 on a quiet machine). A busy one may split a
  // burst over more windows for either count, so they are not asserted equal; per
  // subscriber reads would be 40 times as many (668 before the feeds were shared).
  expect(forty, `statements with one dashboard: ${one}, with 40: ${forty}`).toBeLessThanOrEqual(3 * one);
});
