/**
 * Correctness under load, checked after every scenario: each acknowledged tracking
 * number is an event in the database, and each delivery of those events reached the
 * receiver (by count and by id: the receiver records `webhook-id`, which is the
 * delivery id) and ended `delivered`. Duplicates are allowed (at-least-once) and
 * reported; anything missing fails the run.
 */
import type pg from 'pg';
import type { Receiver } from '../receiver/receiverProcess.ts';
import { waitFor } from './waitFor.ts';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/**
 * Every acknowledged tracking number is an event of the mailbox. The mailbox may hold a
 * few more events than were acknowledged: requests still in flight when a timed load
 * run stops are answered and stored, but the load generator no longer reads their
 * answers. Those are bounded by the connections in flight, and are delivered like the
 * others (checkDeliveriesReceived counts every stored event).
 */
export async function checkEventsStored(
  pool: pg.Pool,
  mailboxIds: string[],
  trackingNumbers: string[],
  inFlightBound = 0,
): Promise<Check> {
  const {
    rows: [found],
  } = await pool.query<{ n: number }>('select count(*)::int as n from event where id = any($1::uuid[])', [
    trackingNumbers,
  ]);
  const stored = await storedEvents(pool, mailboxIds);
  const distinct = new Set(trackingNumbers).size;
  const extra = stored - trackingNumbers.length;
  const ok =
    found!.n === trackingNumbers.length && distinct === trackingNumbers.length && extra >= 0 && extra <= inFlightBound;
  return {
    name: 'every acknowledged event is stored',
    ok,
    detail:
      `${trackingNumbers.length} tracking numbers acknowledged (${distinct} distinct), ${found!.n} found; ${stored} events stored for the mailbox ` +
      `(${extra} answered after the load generator stopped reading, at most ${inFlightBound} possible)`,
  };
}

export async function storedEvents(pool: pg.Pool, mailboxIds: string[]): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    'select count(*)::int as n from event where mailbox_id = any($1::uuid[])',
    [mailboxIds],
  );
  return rows[0]!.n;
}

/**
 * Waits until the receiver has a delivery for each stored event of the mailboxes
 * (`fanout` each) under `tag`, and none of their deliveries is still pending.
 */
export async function waitForDeliveries(
  pool: pg.Pool,
  receiver: Receiver,
  tag: string,
  mailboxIds: string[],
  fanout: number,
  timeoutMs: number,
): Promise<number> {
  const expected = (await storedEvents(pool, mailboxIds)) * fanout;
  await waitFor(
    `${expected} deliveries at the receiver (${tag})`,
    async () => (await receiver.stats(tag)).delivered >= expected,
    {
      timeoutMs,
      intervalMs: 100,
      progress: async () => `${(await receiver.stats(tag)).delivered} arrived`,
    },
  );
  // The receiver answers before the worker records the attempt; wait for the records too.
  await waitFor(
    `the deliveries of ${tag} to be recorded`,
    async () => (await pendingDeliveries(pool, mailboxIds)) === 0,
    {
      timeoutMs: 60_000,
      intervalMs: 100,
      progress: async () => `${await pendingDeliveries(pool, mailboxIds)} still pending`,
    },
  );
  return expected;
}

async function pendingDeliveries(pool: pg.Pool, mailboxIds: string[]): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `select count(*)::int as n from delivery d join event e on e.id = d.event_id
      where e.mailbox_id = any($1::uuid[]) and d.status in ('queued', 'held', 'delivering')`,
    [mailboxIds],
  );
  return rows[0]!.n;
}

/**
 * Every delivery of every stored event of the mailboxes (`fanout` each) reached the
 * receiver and ended delivered; with `once`, none arrived twice either (where nothing
 * should make Hookpost send a delivery again, such as a receiver that only ever answered
 * it with an error or a success).
 */
export async function checkDeliveriesReceived(
  pool: pg.Pool,
  receiver: Receiver,
  tag: string,
  mailboxIds: string[],
  fanout: number,
  options: { once?: boolean } = {},
): Promise<Check> {
  const expected = (await storedEvents(pool, mailboxIds)) * fanout;
  const { rows } = await pool.query<{ id: string; status: string }>(
    `select d.id, d.status from delivery d join event e on e.id = d.event_id where e.mailbox_id = any($1::uuid[])`,
    [mailboxIds],
  );
  const received = await receiver.deliveries(tag);
  const receivedIds = new Set(received.map((r) => r.id));
  const known = new Set(rows.map((r) => r.id));
  const missing = rows.filter((r) => !receivedIds.has(r.id)).length;
  const notDelivered = rows.filter((r) => r.status !== 'delivered').length;
  const unknown = [...receivedIds].filter((id) => !known.has(id)).length;
  const duplicates = received.length - receivedIds.size;
  const ok =
    rows.length === expected &&
    missing === 0 &&
    notDelivered === 0 &&
    unknown === 0 &&
    (!options.once || duplicates === 0);
  return {
    name: options.once
      ? `every delivery reached the receiver exactly once (${tag})`
      : 'every delivery reached the receiver',
    ok,
    detail:
      `${rows.length} deliveries in the database (expected ${expected}), ${receivedIds.size} distinct webhook-ids received, ` +
      `${missing} missing, ${notDelivered} not 'delivered', ${unknown} unknown ids, ${duplicates} duplicates`,
  };
}

export function checkNoErrors(what: string, load: { non2xx: number; errors: number }): Check {
  return {
    name: `${what}: no errors`,
    ok: load.non2xx === 0 && load.errors === 0,
    detail: `${load.non2xx} non-2xx answers, ${load.errors} connection errors/timeouts`,
  };
}
