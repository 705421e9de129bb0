/**
 * A manual retry of a delivery whose ordering key's line is busy waits for its turn and
 * must then be a manual attempt (one try), not the retry policy's. The retry's job finds the
 * delivery behind its line and remembers its kind (deliveries/orderingLine.ts
 * rememberTrigger). Under load the delivery ahead could end, and wake this one with a
 * scheduled job, between the retry's claim and that remembering: the remembering then
 * found it no longer behind its line and did nothing, and the attempt went out as a
 * scheduled one (seen once in a full test run). Here that order is forced, step by step.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { claimDeliveries } from '../server/deliveries/claim.ts';
import { rememberTrigger } from '../server/deliveries/orderingLine.ts';
import { recordAttempts } from '../server/deliveries/recordAttempts.ts';
import { newId } from '../server/ids.ts';
import { deliveredAttempt } from './support/attemptRecords.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { storeEvents } from './support/storedEvents.ts';

const WORKER = 'pool-remember';

let db: TestDatabase;
const mailboxId = newId();
const endpointId = newId();
const changes = { publish: () => undefined };

beforeAll(async () => {
  db = await createTestDatabase();
  await db.pool.query(`insert into mailbox (id, name) values ($1, 'Orders')`, [mailboxId]);
  await db.pool.query(
    `insert into endpoint (id, mailbox_id, url, retry_policy, ordered_by_key)
     values ($1, $2, 'http://127.0.0.1:9/hook', '{}', true)`,
    [endpointId, mailboxId],
  );
  await db.pool.query(`insert into worker_heartbeat (worker_id, hostname, pid, lock_key) values ($1, 'test', 1, 1)`, [
    WORKER,
  ]);
});

afterAll(async () => {
  await db?.drop();
});

/** Two events of a new key, in order: their deliveries `first` (the line's head) and `second`. */
const storeTwoOfOneKey = async () => {
  const [first, second] = await storeEvents(db.pool, mailboxId, endpointId, {
    count: 2,
    orderingKey: `order-${newId()}`,
  });
  return { first: first!.deliveryId, second: second!.deliveryId };
};

describe('a manual job for a delivery behind its line', () => {
  test('whose turn comes before it remembered its kind: the woken job still makes a manual attempt', async () => {
    const { first, second } = await storeTwoOfOneKey();
    // The head is in flight.
    const head = await claimDeliveries({ db: db.pool, changes }, WORKER, [first]);
    expect(head.claimed.map((delivery) => delivery.id)).toEqual([first]);

    // A manual job for the second: behind its line, not claimed.
    const manual = await claimDeliveries({ db: db.pool, changes }, WORKER, [second]);
    expect(manual.claimed).toEqual([]);

    // Meanwhile the head ends and its record wakes the second, with a scheduled job.
    await recordAttempts(
      { db: db.pool, changes },
      head.claimed.map((delivery) => deliveredAttempt(delivery, WORKER)),
    );
    const { rows: jobs } = await db.pool.query<{ payload: { trigger: string; deliveries: { id: string }[] } }>(
      `select payload from graphile_worker._private_jobs where payload::text like $1`,
      [`%${second}%`],
    );
    expect(jobs.map((job) => job.payload.trigger)).toContain('scheduled');

    // Only now does the manual job remember its kind.
    await rememberTrigger(db.pool, [second], 'manual');

    // The scheduled job's claim takes it with the kind the manual job asked for.
    const woken = await claimDeliveries({ db: db.pool, changes }, WORKER, [second]);
    expect(woken.claimed.map((delivery) => [delivery.id, delivery.waitingTrigger])).toEqual([[second, 'manual']]);
  });

  test('a delivery that is not waiting to go (retrying later) does not take a manual job’s kind', async () => {
    const { first } = await storeTwoOfOneKey();
    await db.pool.query(`update delivery set next_attempt_at = now() + interval '1 hour' where id = $1`, [first]);
    await rememberTrigger(db.pool, [first], 'manual');
    const { rows } = await db.pool.query<{ waiting_trigger: string | null }>(
      `select waiting_trigger from delivery where id = $1`,
      [first],
    );
    expect(rows[0]!.waiting_trigger).toBeNull();
  });
});
