/**
 * End-to-end latency as a user sees it: from the moment Hookpost stored an event
 * (`received_at`) to the first arrival of its delivery at the receiver, per delivery of a
 * mailbox; optionally only for the events stored within a window, so one mailbox under a
 * steady load can be read before, during and after something happened to others.
 */
import type pg from 'pg';
import type { Receiver } from '../receiver/receiverProcess.ts';
import { summarize, type LatencySummary } from './stats.ts';

/** A span of epoch ms, `from` included, `to` not. */
export interface Window {
  from: number;
  to: number;
}

export async function ingestToDelivered(
  pool: pg.Pool,
  receiver: Receiver,
  mailbox: { id: string; tag: string },
  window?: Window,
): Promise<LatencySummary> {
  const { rows } = await pool.query<{ id: string; received: number }>(
    `select d.id, extract(epoch from e.received_at) * 1000 as received
       from delivery d join event e on e.id = d.event_id where e.mailbox_id = $1`,
    [mailbox.id],
  );
  const arrivedAt = new Map<string, number>();
  for (const r of await receiver.deliveries(mailbox.tag)) if (!arrivedAt.has(r.id)) arrivedAt.set(r.id, r.at);
  const samples: number[] = [];
  for (const row of rows) {
    const received = Number(row.received);
    const arrived = arrivedAt.get(row.id);
    if (arrived === undefined || (window && (received < window.from || received >= window.to))) continue;
    samples.push(arrived - received);
  }
  return summarize(samples);
}

/**
 * The first part of that latency: from the moment an event was stored to the moment its
 * delivery's first request left the worker (`attempt.started_at`): the time spent queued,
 * claimed and waiting for a request slot, without the network and the receiver.
 */
export async function ingestToFirstRequest(
  pool: pg.Pool,
  mailbox: { id: string },
  window: Window,
): Promise<LatencySummary> {
  const { rows } = await pool.query<{ waited: number }>(
    `select extract(epoch from a.started_at - e.received_at) * 1000 as waited
       from event e join delivery d on d.event_id = e.id join attempt a on a.delivery_id = d.id and a.number = 1
      where e.mailbox_id = $1 and e.received_at >= to_timestamp($2 / 1000.0) and e.received_at < to_timestamp($3 / 1000.0)`,
    [mailbox.id, window.from, window.to],
  );
  return summarize(rows.map((row) => Number(row.waited)));
}
