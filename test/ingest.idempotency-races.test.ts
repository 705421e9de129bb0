/**
 * Idempotency keys where they can go wrong (found by a review that tried to break them):
 * an expired key taken over by many at once, a repeat reading its key while another
 * request takes it over, a claiming statement that fails, a commit whose answer is lost,
 * what a repeat writes, and Content-Types spelled differently. Real PostgreSQL; event
 * writers driven directly (two writers with their own pools stand for two api
 * processes), and real HTTP where the answer matters.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { newId } from '../server/ids.ts';
import { createEventWriter, type EventWriter } from '../server/ingest/eventWriter.ts';
import type { NewEvent } from '../server/ingest/sql/insertEvents.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import {
  createMailbox,
  sendEvent,
  startTestHookpost,
  type CreatedMailbox,
  type TestHookpost,
} from './support/hookpost.ts';

let db: TestDatabase;
let api: TestHookpost;
let mailbox: CreatedMailbox;
const pools: pg.Pool[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  api = await startTestHookpost(db.url, { role: 'api' });
  mailbox = await createMailbox(api, { name: 'Orders', target_url: 'http://127.0.0.1:9/orders' });
}, 90_000);

afterAll(async () => {
  for (const pool of pools) await pool.end();
  await api?.stop();
  await db?.drop();
});

const newPool = () => {
  const pool = new pg.Pool({ connectionString: db.url, max: 4 });
  pools.push(pool);
  return pool;
};

/**
 * A pool whose queries pass through `before` and `after` (given the statement's name, or
 * its text when it has none): to hold a query at a gate, or fail it before or after it ran.
 */
const intercepted = (
  pool: pg.Pool,
  hooks: { before?: (name: string) => Promise<void>; after?: (name: string) => Promise<void> },
) =>
  ({
    query: async (config: unknown, values?: unknown) => {
      const name = typeof config === 'string' ? config : ((config as { name?: string }).name ?? '');
      await hooks.before?.(name);
      const result = await (pool.query as (c: unknown, v?: unknown) => Promise<unknown>)(config, values);
      await hooks.after?.(name);
      return result;
    },
  }) as unknown as pg.Pool;

const event = (key: string | undefined, body: string | Buffer, extra: Partial<NewEvent> = {}): NewEvent => ({
  id: newId(),
  mailboxId: mailbox.id,
  eventType: 'order.created',
  contentType: 'application/json',
  body: Buffer.isBuffer(body) ? body : Buffer.from(body),
  deliveries: [{ id: newId(), endpointId: mailbox.endpoint_id! }],
  trigger: 'scheduled',
  ...(key !== undefined && { idempotencyKey: key }),
  ...extra,
});

describe('expired key taken over by many at once, at two processes', () => {
  /** Two writers with a 1-hour window, and the key claimed by an event 2 hours old. */
  const expiredKey = async (key: string, body: string): Promise<EventWriter[]> => {
    const writers = [newPool(), newPool()].map((pool) => createEventWriter(pool, { idempotencyWindowHours: 1 }));
    const old = event(key, body);
    await writers[0]!.submit(old);
    await db.pool.query(`update event set received_at = now() - interval '2 hours' where id = $1`, [old.id]);
    return writers;
  };

  test('the same event: exactly one new event, every other copy answered with it', async () => {
    const writers = await expiredKey('exp-same', '{"n":1}');
    const copies = Array.from({ length: 40 }, () => event('exp-same', '{"n":1}'));
    const results = await Promise.all(copies.map((copy, i) => writers[i % 2]!.submit(copy)));
    const stored = copies.filter((_, i) => results[i]!.stored);
    expect(stored).toHaveLength(1);
    for (const result of results) {
      if (!result.stored) expect(result.original?.eventId).toBe(stored[0]!.id);
    }
    expect(await db.count('event', `idempotency_key = 'exp-same'`)).toBe(1);
  });

  test('different bodies: exactly one new event, the others see it', async () => {
    const writers = await expiredKey('exp-diff', '{"n":0}');
    const copies = Array.from({ length: 40 }, (_, i) => event('exp-diff', `{"n":${i + 1}}`));
    const results = await Promise.all(copies.map((copy, i) => writers[i % 2]!.submit(copy)));
    expect(results.filter((r) => r.stored)).toHaveLength(1);
    expect(results.filter((r) => !r.stored && r.original === null)).toHaveLength(0);
    expect(await db.count('event', `idempotency_key = 'exp-diff'`)).toBe(1);
  });
});

describe('a repeat racing the takeover of an expired key', () => {
  test('is answered (202 or 409), not 503, when it reads the key between release and new claim', async () => {
    const [poolA, poolB] = [newPool(), newPool()];
    let reachedFind!: () => void;
    const atFind = new Promise<void>((resolve) => (reachedFind = resolve));
    let openA!: () => void;
    const gateA = new Promise<void>((resolve) => (openA = resolve));
    let released!: () => void;
    const atRelease = new Promise<void>((resolve) => (released = resolve));
    let openB!: () => void;
    const gateB = new Promise<void>((resolve) => (openB = resolve));
    // Process A: its claim of the key loses to the old event; it then reads the key's event.
    const writerA = createEventWriter(
      intercepted(poolA, {
        before: async (name) => {
          if (name === 'find_claimed_keys') {
            reachedFind();
            await gateA;
          }
        },
      }),
      { idempotencyWindowHours: 1 },
    );
    // Process B: finds the key expired and takes it off the old event, then claims it.
    const writerB = createEventWriter(
      intercepted(poolB, {
        after: async (name) => {
          if (name.startsWith('update event set idempotency_key = null')) {
            released();
            await gateB;
          }
        },
      }),
      { idempotencyWindowHours: 1 },
    );
    const old = event('race-exp', '{"n":1}');
    await createEventWriter(poolA).submit(old);
    await db.pool.query(`update event set received_at = now() - interval '2 hours' where id = $1`, [old.id]);

    const [eventA, eventB] = [event('race-exp', '{"n":1}'), event('race-exp', '{"n":1}')];
    const a = writerA.submit(eventA);
    await atFind;
    const b = writerB.submit(eventB);
    await atRelease;
    openA();
    const resultA = await a;
    openB();
    const resultB = await b;
    // A's key was freed between its claim and its read: A writes again, and claims the
    // key before B (held after its release) does; B is then A's repeat.
    expect(resultA).toEqual({ stored: true });
    expect(resultB).toEqual({ stored: false, original: expect.objectContaining({ eventId: eventA.id }) });
    expect(await db.count('event', `idempotency_key = 'race-exp'`)).toBe(1);
  });
});

describe('the claiming statement fails (after the plain one found a taken key)', () => {
  test('the batch, written again one by one, stores every new event once and answers the repeat', async () => {
    const pool = newPool();
    let failed = false;
    const flaky = intercepted(pool, {
      before: async (name) => {
        if (!failed && name.startsWith('insert_events_claiming_keys')) {
          failed = true;
          throw Object.assign(new Error('deadlock detected'), { code: '40P01' });
        }
      },
    });
    const writer = createEventWriter(flaky);
    const first = event('claim-fails', '{"c":1}');
    await writer.submit(first);
    const others = [event(undefined, '{"u":1}'), event('claim-fails-new', '{"u":2}'), event(undefined, '{"u":3}')];
    const results = await Promise.all([
      writer.submit(event('claim-fails', '{"c":1}')),
      ...others.map((e) => writer.submit(e)),
    ]);
    expect(failed).toBe(true);
    expect(results[0]).toMatchObject({ stored: false, original: { eventId: first.id } });
    expect(results.slice(1).every((r) => r.stored)).toBe(true);
    expect(await db.count('event', `id in (${others.map((e) => `'${e.id}'`).join(',')})`)).toBe(3);
    expect(await db.count('delivery', `event_id in (${others.map((e) => `'${e.id}'`).join(',')})`)).toBe(3);
  });
});

describe('an ambiguous commit (the connection breaks after the batch committed)', () => {
  test('keyed events of the batch, written again one by one, are answered as repeats, not errors', async () => {
    const pool = newPool();
    let broken = false;
    // The first keyed insert commits, then its answer is lost, as when the network drops.
    const flaky = intercepted(pool, {
      after: async (name) => {
        if (!broken && name.startsWith('insert_events_with_keys')) {
          broken = true;
          throw new Error('Connection terminated unexpectedly');
        }
      },
    });
    const writer = createEventWriter(flaky);
    const a = event('ambiguous-a', '{"a":1}');
    const b = event('ambiguous-b', '{"b":1}');
    const settled = await Promise.allSettled([writer.submit(a), writer.submit(b)]);
    // Both are committed (the first statement went through).
    expect(await db.count('event', `id in ('${a.id}', '${b.id}')`)).toBe(2);
    // Written again alone, each finds its own key taken (by itself): answered as its own
    // repeat (a 202), not an error from the plain insert's unique violation.
    expect(
      settled.map((s) => (s.status === 'fulfilled' ? 'ok' : String((s.reason as { constraint?: string }).constraint))),
    ).toEqual(['ok', 'ok']);
  });
});

describe('what a repeat costs', () => {
  test('a repeat of a 1 MiB event writes nothing', async () => {
    const pool = newPool();
    const writer = createEventWriter(pool);
    const body = Buffer.from(JSON.stringify({ blob: randomBytes(700 * 1024).toString('base64') }));
    await writer.submit(event('big-1', body));
    const toast = async () => {
      const { rows } = await db.pool.query<{ bytes: string; ins: string }>(
        `select pg_relation_size(c.reltoastrelid)::text as bytes,
                (select n_tup_ins from pg_stat_user_tables where relid = c.oid)::text as ins
           from pg_class c where c.relname = 'event'`,
      );
      return { bytes: Number(rows[0]!.bytes), ins: Number(rows[0]!.ins) };
    };
    await db.pool.query('vacuum event');
    const before = await toast();
    for (let i = 0; i < 10; i++) {
      const result = await writer.submit(event('big-1', body));
      expect(result.stored).toBe(false);
    }
    await new Promise((resolve) => setTimeout(resolve, 1500)); // stats are flushed about every second
    const after = await toast();
    expect(after.bytes - before.bytes).toBeLessThan(body.length);
  });

  test("a repeat in a batch does not make the batch's other events be written twice", async () => {
    const pool = newPool();
    const writer = createEventWriter(pool);
    await writer.submit(event('batch-rep', '{"r":1}'));
    const toastBytes = async () => {
      const { rows } = await db.pool.query<{ bytes: string }>(
        `select pg_relation_size(reltoastrelid)::text as bytes from pg_class where relname = 'event'`,
      );
      return Number(rows[0]!.bytes);
    };
    await db.pool.query('vacuum event');
    const before = await toastBytes();
    const others = Array.from({ length: 30 }, (_, i) =>
      event(undefined, JSON.stringify({ other: i, blob: randomBytes(60 * 1024).toString('base64') })),
    );
    const othersBytes = others.reduce((n, e) => n + e.body.length, 0);
    const results = await Promise.all([
      writer.submit(event('batch-rep', '{"r":1}')),
      ...others.map((e) => writer.submit(e)),
    ]);
    expect(results.filter((r) => r.stored)).toHaveLength(30);
    const grew = (await toastBytes()) - before;
    expect(grew).toBeLessThan(othersBytes * 1.5);
  });
});

describe('answers', () => {
  test('Content-Type parameters spelled differently are the same event', async () => {
    const body = { event: 'order.created', n: 'ct' };
    const first = await sendEvent(api, mailbox, body, {
      'idempotency-key': 'ct-1',
      'content-type': 'application/json; charset=utf-8',
    });
    expect(first.status).toBe(202);
    const again = await sendEvent(api, mailbox, body, {
      'idempotency-key': 'ct-1',
      'content-type': 'application/json;charset=UTF-8',
    });
    expect(again.status).toBe(202);
  });
});
