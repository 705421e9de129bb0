/**
 * Live feeds are shared (server/graphql/live/liveFeeds.ts): subscribers of the same field
 * and arguments in one process get the very same batches from one feed, which stops when
 * its last subscriber leaves; a subscriber that does not take its batches gets what it
 * missed merged into one, no faster than it reads, while the others go on. Driven through
 * the real change bus (PostgreSQL NOTIFY and LISTEN), without the GraphQL layer.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startChangeBus, type ChangeBus, type EventReceived } from '../server/db/changeBus.ts';
import type { LiveBatch } from '../server/graphql/live/coalescer.ts';
import { createLiveFeeds, type LiveFeeds, type LiveFeedSpec } from '../server/graphql/live/liveFeeds.ts';
import { createLiveQuota } from '../server/graphql/live/liveQuota.ts';
import { createLogger } from '../server/logger.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';

let db: TestDatabase;
let bus: ChangeBus;
let feeds: LiveFeeds;

const MAILBOX = '0190a5b0-0000-7000-8000-00000000000a';

const eventsOf = (mailboxId: string): LiveFeedSpec<EventReceived> => ({
  key: `eventReceived:${mailboxId}`,
  pick: (change) => (change.kind === 'event' && change.mailboxId === mailboxId ? change : null),
  keyOf: (change) => change.eventId,
});

async function publish(...eventIds: string[]) {
  for (const eventId of eventIds) bus.publish({ kind: 'event', eventId, mailboxId: MAILBOX });
  await bus.flush();
}

const idsOf = (batch: LiveBatch<EventReceived>) => batch.items.map((item) => item.eventId);
/** Leaves the feed, as a client closing its subscription does. */
const leave = (subscription: AsyncIterableIterator<unknown>) => subscription.return?.(undefined);

beforeAll(async () => {
  db = await createTestDatabase();
  bus = await startChangeBus({
    pool: db.pool,
    listenUrl: db.url,
    logger: createLogger({ level: 'silent', pretty: false }),
  });
  feeds = createLiveFeeds(bus, { quota: createLiveQuota(100), windowMs: 50 });
});

afterAll(async () => {
  await bus?.close();
  await db?.drop();
});

describe('live feeds', () => {
  test('subscribers of the same mailbox get the same batches from one feed, which stops with its last subscriber', async () => {
    const first = feeds.subscribe(eventsOf(MAILBOX), { tokenId: 'a' });
    const second = feeds.subscribe(eventsOf(MAILBOX), { tokenId: 'b' });
    const elsewhere = feeds.subscribe(eventsOf('0190a5b0-0000-7000-8000-00000000000b'), { tokenId: 'a' });
    const [nextOfFirst, nextOfSecond] = [first.next(), second.next()];
    void elsewhere.next();
    expect(feeds.running).toBe(2);

    await publish('e1', 'e2');
    const [a, b] = await Promise.all([nextOfFirst, nextOfSecond]);
    expect(idsOf(a.value)).toEqual(['e1', 'e2']);
    expect(b.value).toBe(a.value);

    await Promise.all([leave(first), leave(second), leave(elsewhere)]);
    expect(feeds.running).toBe(0);
  });

  test('a subscriber that does not read gets what it missed merged into one batch when it does; the others go on', async () => {
    const reader = feeds.subscribe(eventsOf(MAILBOX), { tokenId: 'a' });
    const idler = feeds.subscribe(eventsOf(MAILBOX), { tokenId: 'b' });
    try {
      const [readerFirst, idlerFirst] = [reader.next(), idler.next()];
      await publish('e3');
      expect(idsOf((await readerFirst).value)).toEqual(['e3']);
      expect(idsOf((await idlerFirst).value)).toEqual(['e3']);

      // The idler asks for nothing more meanwhile; the reader gets each window's batch.
      const readerSecond = reader.next();
      await publish('e4');
      expect(idsOf((await readerSecond).value)).toEqual(['e4']);
      const readerThird = reader.next();
      await publish('e5', 'e6');
      expect(idsOf((await readerThird).value)).toEqual(['e5', 'e6']);

      const caughtUp = await idler.next();
      expect(idsOf(caughtUp.value)).toEqual(['e4', 'e5', 'e6']);
    } finally {
      await Promise.all([leave(reader), leave(idler)]);
    }
  });
});
