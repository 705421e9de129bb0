/**
 * Filling a mailbox with a backlog of undelivered events before the delivery runs.
 *
 * `api` (default) goes through the real ingest path: autocannon POSTs to the api
 * process, and every tracking number comes back. `sql` calls Hookpost's own ingest
 * statement (server/ingest/sql/insertEvents.ts, one event per call) from 16 connections: the same event,
 * delivery and job rows, minus HTTP, the key lookup and JSON parsing. Faster on slow
 * machines; the rows cannot differ because the statement is the same.
 */
import pg from 'pg';
import { newId } from '../../../server/ids.ts';
import { insertEvents } from '../../../server/ingest/sql/insertEvents.ts';
import type { BenchMailbox } from './hookpostApi.ts';
import { eventBody, ingestHeaders } from './hookpostApi.ts';
import { runLoad } from './loadGenerator.ts';

export interface Preloaded {
  trackingNumbers: string[];
  errors: number;
  rate: number;
}

export async function preloadBacklog(
  how: 'api' | 'sql',
  databaseUrl: string,
  mailbox: BenchMailbox,
  events: number,
  payloadBytes: number,
): Promise<Preloaded> {
  const body = eventBody(payloadBytes);
  if (how === 'api') {
    const connections = Math.min(64, events);
    const run = await runLoad({
      url: mailbox.ingestUrl,
      method: 'POST',
      headers: ingestHeaders(mailbox),
      body,
      connections,
      amount: events,
      collectTrackingNumbers: true,
    });
    return { trackingNumbers: run.trackingNumbers, errors: run.non2xx + run.errors, rate: run.rate };
  }

  const pool = new pg.Pool({ connectionString: databaseUrl, max: 16, application_name: 'hookpost-bench-preload' });
  const trackingNumbers: string[] = [];
  const started = performance.now();
  let next = 0;
  try {
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < events) {
          next += 1;
          const id = newId();
          const deliveries = mailbox.endpointIds.map((endpointId) => ({ id: newId(), endpointId }));
          await insertEvents(pool, [
            {
              id,
              mailboxId: mailbox.id,
              eventType: 'order.created',
              contentType: 'application/json',
              body: Buffer.from(body),
              deliveries,
              trigger: 'scheduled',
            },
          ]);
          trackingNumbers.push(id);
        }
      }),
    );
  } finally {
    await pool.end();
  }
  return { trackingNumbers, errors: 0, rate: events / ((performance.now() - started) / 1000) };
}
