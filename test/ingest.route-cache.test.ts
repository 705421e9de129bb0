/**
 * API processes cache which mailbox a key opens and its endpoints. A change made through
 * one process reaches the others' caches within moments (through the change bus), and
 * at once in the process that made it. A busy key never waits for a lookup once cached,
 * and a key looked up by many requests at once is looked up once.
 */
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import type pg from 'pg';
import { hashToken } from '../server/auth/tokens.ts';
import { startChangeBus, type ChangeBus } from '../server/db/changeBus.ts';
import { createPool } from '../server/db/pool.ts';
import type { Queryable } from '../server/db/queryable.ts';
import { createRouteCache } from '../server/ingest/routeCache.ts';
import { createLogger } from '../server/logger.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { eventByTracking } from './support/events.ts';
import { createMailbox, sendEvent, startTestHookpost, type TestHookpost } from './support/hookpost.ts';

let db: TestDatabase;
let a: TestHookpost;
let b: TestHookpost;

beforeAll(async () => {
  db = await createTestDatabase();
  a = await startTestHookpost(db.url, { role: 'api' });
  b = await startTestHookpost(db.url, { role: 'api' });
});

afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await db?.drop();
});

describe('the route cache across API processes', () => {
  test('a key revoked through one process stops working in another within moments', async () => {
    const mailbox = await createMailbox(a, { name: 'Revoked elsewhere', target_url: 'https://example.com/hook' });
    expect((await sendEvent(b, mailbox, { warm: 'the cache' })).status).toBe(202);
    const [key] = await (await a.api(`/api/mailboxes/${mailbox.id}/api-keys`)).json();
    expect((await a.api(`/api/api-keys/${key.id}/revoke`, { method: 'POST' })).status).toBe(200);
    expect((await sendEvent(a, mailbox, { same: 'process' })).status).toBe(401);
    const revokedAt = Date.now();
    await vi.waitFor(async () => expect((await sendEvent(b, mailbox, { other: 'process' })).status).toBe(401), {
      timeout: 2_000,
      interval: 20,
    });
    // Each try is an HTTP round trip, slower on a loaded machine: the bound leaves room for
    // that, still well within b's cache TTL (5 s), which only the change bus can cut short.
    expect(Date.now() - revokedAt).toBeLessThan(2_000);
  });

  test('an endpoint added through one process receives events accepted by another', async () => {
    const mailbox = await createMailbox(a, { name: 'Grows', target_url: 'https://example.com/first' });
    const first = await (await sendEvent(b, mailbox, { event: 'x' })).json();
    expect((await eventByTracking(a, first.tracking_number)).deliveries).toHaveLength(1);
    expect(
      (
        await a.api(`/api/mailboxes/${mailbox.id}/endpoints`, {
          method: 'POST',
          json: { url: 'https://example.com/second' },
        })
      ).status,
    ).toBe(201);
    await vi.waitFor(
      async () => {
        const next = await (await sendEvent(b, mailbox, { event: 'x' })).json();
        expect((await eventByTracking(a, next.tracking_number)).deliveries).toHaveLength(2);
      },
      { timeout: 2_000, interval: 20 },
    );
  });
});

describe('the route cache under load', () => {
  const logger = createLogger({ level: 'silent', pretty: false });
  let pool: pg.Pool;
  let changes: ChangeBus;
  let apiKey: string;
  let mailboxId: string;
  /** The real pool, counting lookups and making each take `delayMs` longer, as under load. */
  const slowDb = (delayMs: number) => {
    const counter = { lookups: 0, ended: 0 };
    const db: Queryable = {
      query: (async (config: pg.QueryConfig) => {
        counter.lookups++;
        const result = await pool.query(config);
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        counter.ended++;
        return result;
      }) as Queryable['query'],
    };
    return { db, counter };
  };

  beforeAll(async () => {
    pool = createPool({ connectionString: db.url, max: 4, applicationName: 'route-cache-test', logger });
    changes = await startChangeBus({ pool, logger });
    const mailbox = await createMailbox(a, { name: 'Busy', target_url: 'https://example.com/busy' });
    apiKey = mailbox.api_key;
    mailboxId = mailbox.id;
  });

  afterAll(async () => {
    await changes?.close();
    await pool?.end();
  });

  test('a key asked for by 50 requests at once is looked up once', async () => {
    const { db: slow, counter } = slowDb(50);
    const routes = createRouteCache({ db: slow, changes });
    const found = await Promise.all(Array.from({ length: 50 }, () => routes.find(hashToken(apiKey))));
    expect(counter.lookups).toBe(1);
    expect(new Set(found.map((route) => route?.mailboxId))).toEqual(new Set([mailboxId]));
  });

  test('a key in use is refreshed before it expires, so no request waits for a lookup after the first', async () => {
    const { db: slow, counter } = slowDb(60);
    // A refresh starts 200 ms (a fifth of the TTL) before expiry and takes the query plus
    // 60 ms: room for a slow query on a loaded machine.
    const routes = createRouteCache({ db: slow, changes, ttlMs: 1_000 });
    await routes.find(hashToken(apiKey));
    // A request that waits for a lookup waits for its 60 ms timer; one answered from the
    // cache waits only for promise callbacks, during which no timer can fire. So no lookup
    // ends while a request is pending, unless that request waited for it (timing it instead
    // would fail whenever a loaded machine pauses the process for tens of ms).
    const waited: number[] = [];
    const until = Date.now() + 4_200;
    while (Date.now() < until) {
      const endedBefore = counter.ended;
      expect((await routes.find(hashToken(apiKey)))?.mailboxId).toBe(mailboxId);
      if (counter.ended !== endedBefore) waited.push(counter.ended - endedBefore);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // Four TTLs went by: the entry was refreshed in the background each time.
    expect(counter.lookups).toBeGreaterThanOrEqual(4);
    expect(waited).toEqual([]);
  });

  test('a lookup that began before a routing change is not remembered', async () => {
    const { db: slow, counter } = slowDb(100);
    const routes = createRouteCache({ db: slow, changes });
    const during = routes.find(hashToken(apiKey));
    routes.changed(mailboxId);
    expect((await during)?.mailboxId).toBe(mailboxId);
    await routes.find(hashToken(apiKey));
    expect(counter.lookups).toBe(2);
    await routes.find(hashToken(apiKey));
    expect(counter.lookups).toBe(2);
  });
});
