/**
 * Reads cannot starve writes: GraphQL and REST reads run on a pool of their own with a
 * statement timeout (server/db/readSide.ts), so
 * - producers' events are accepted (202) while more clients than the application pool
 *   has connections run the most expensive query the limits allow, in a loop;
 * - a read past the statement timeout is cancelled and its caller told `query_timeout`
 *   (503 with Retry-After over REST), not `internal_error`.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { errorCodes, gql } from './support/graphql.ts';
import { createMailbox, sendEvent, type CreatedMailbox } from './support/hookpost.ts';
import { useHookpost } from './support/hooks.ts';

let mailbox: CreatedMailbox;

const APP_POOL = 2;
const READ_POOL = 2;
const READERS = 4;

const { db, hookpost } = useHookpost({
  role: 'api',
  dbPoolSize: APP_POOL,
  readPoolMax: READ_POOL,
  readStatementTimeoutMs: 1_500,
});

beforeAll(async () => {
  mailbox = await createMailbox(hookpost, { name: 'Orders' });
  // Enough history that each page the readers ask for is full.
  const body = { event: 'order.created', padding: 'x'.repeat(200) };
  for (let batch = 0; batch < 12; batch += 1) {
    const answers = await Promise.all(Array.from({ length: 10 }, () => sendEvent(hookpost, mailbox, body)));
    expect(answers.map((answer) => answer.status)).toEqual(Array(10).fill(202));
  }
});

// Cost 1 + 100 × (13 + 19 × 12) = 24,101 of the 25,000 allowed (a body costs 10): 2,000
// events with their bodies and 2,000 mailboxes per answer.
const EXPENSIVE = `{
  events(first: 100) { edges { node { id body mailbox {
    events(first: 19) { edges { node { id body eventType receivedAt mailbox { name } } } }
  } } } }
}`;

describe('reads and writes', () => {
  test('events are accepted while more readers than the application pool has connections loop on the most expensive allowed query', async () => {
    let reading = true;
    const readerAnswers: string[] = [];
    let readsWaited = 0;
    const readers = Array.from({ length: READERS }, async () => {
      while (reading) {
        const result = await gql(hookpost, EXPENSIVE);
        readerAnswers.push(result.errors ? String(errorCodes(result)) : 'data');
      }
    });
    const watcher = (async () => {
      while (reading) {
        readsWaited = Math.max(readsWaited, hookpost.runtime.reads.pool.waitingCount);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();

    // Let the readers take every read connection first.
    while (readsWaited === 0 && readerAnswers.length < READERS) await new Promise((resolve) => setTimeout(resolve, 50));
    const statuses: number[] = [];
    for (let round = 0; round < 10; round += 1) {
      const answers = await Promise.all(
        Array.from({ length: 4 }, () => sendEvent(hookpost, mailbox, { event: 'order.paid', round })),
      );
      statuses.push(...answers.map((answer) => answer.status));
    }
    reading = false;
    await Promise.all([...readers, watcher]);

    expect(statuses).toEqual(Array(40).fill(202));
    // The readers queued on their own pool, and every one of them was answered: with the
    // page, or told to come back (its read took too long, or waited too long for a
    // connection); never a server error.
    expect(readsWaited).toBeGreaterThan(0);
    expect(readerAnswers.length).toBeGreaterThanOrEqual(READERS);
    const refusals = new Set(['data', 'query_timeout', 'unavailable']);
    expect(readerAnswers.filter((answer) => !refusals.has(answer))).toEqual([]);
    expect(readerAnswers).toContain('data');
  }, 120_000);

  test('a read past the statement timeout is answered query_timeout, over GraphQL and REST', async () => {
    // A lock held elsewhere makes any read of mailboxes wait past the timeout.
    const locker = await db.pool.connect();
    try {
      await locker.query('begin');
      await locker.query('lock table mailbox in access exclusive mode');

      const graphql = await gql(hookpost, '{ mailboxes { edges { node { id name } } } }');
      expect(errorCodes(graphql)).toEqual(['query_timeout']);
      expect(graphql.errors![0]!.message).toMatch(/took too long/);

      const rest = await hookpost.api('/api/mailboxes');
      expect(rest.status).toBe(503);
      expect(rest.headers.get('retry-after')).toBe('5');
      expect((await rest.json()).error.code).toBe('query_timeout');
    } finally {
      await locker.query('rollback');
      locker.release();
    }
    // Once the lock is gone, the same reads work again.
    expect((await gql(hookpost, '{ mailboxes { edges { node { id name } } } }')).errors).toBeUndefined();
    expect((await hookpost.api('/api/mailboxes')).status).toBe(200);
  });
});
