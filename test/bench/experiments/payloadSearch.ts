/**
 * Search by content at scale: a history of N events (default 1,000,000) whose bodies
 * carry an order id each, written straight in SQL with their search terms as ingest
 * writes them (events/payloadTerms.ts), then the first page of GraphQL's `events(filter:
 * {payload: …})` query — the search service's own SQL — for order ids spread over the
 * history, and for a value shared by a hundred events. Prints p50/p99 in ms.
 *
 *   node --import tsx test/bench/experiments/payloadSearch.ts [--events 1000000] [--queries 200]
 */
import { parseArgs } from 'node:util';
import { searchEventIds } from '../../../server/events/eventSearch.ts';
import type { Runtime } from '../../../server/runtime.ts';
import { cleanupAll, cleanupOnSignals } from '../support/cleanup.ts';
import { startBenchDatabase } from '../support/database.ts';

const { values } = parseArgs({ options: { events: { type: 'string' }, queries: { type: 'string' } } });
const total = Number(values.events ?? 1_000_000);
const queries = Number(values.queries ?? 200);
const admin = { tokenId: 'bench', name: 'bench', role: 'admin' as const };

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

async function main() {
  cleanupOnSignals();
  const db = await startBenchDatabase({ databaseUrl: process.env.DATABASE_URL, pgStats: false, keep: false });
  const mailbox = (
    await db.pool.query<{ id: string }>(`insert into mailbox (id, name) values (uuidv7(), 'search') returning id`)
  ).rows[0]!.id;
  const started = performance.now();
  for (let from = 0; from < total; from += 100_000) {
    await db.pool.query(
      `with source as (select uuidv7() as id, n from generate_series($2::int, $3::int - 1) as n),
            events as (
              insert into event (id, mailbox_id, event_type, content_type, body, delivery_count, pending_count)
              select id, $1, 'order.created', 'application/json',
                     convert_to(format('{"event":"order.created","data":{"order_id":"ORD-%s","customer":"C-%s","amount":%s}}', n, n % 10000, n % 500), 'UTF8'),
                     0, 0
                from source)
       insert into event_search (event_id, terms)
       select id, array['event="order.created"', format('data.order_id="ORD-%s"', n), format('data.customer="C-%s"', n % 10000), format('data.amount=%s', n % 500)]
         from source`,
      [mailbox, from, Math.min(from + 100_000, total)],
    );
  }
  await db.pool.query('vacuum analyze event');
  await db.pool.query('vacuum analyze event_search');
  console.log(`${total} events written in ${((performance.now() - started) / 1000).toFixed(0)} s`);

  const time = async (payload: { path: string; equals: string }[]) => {
    const begin = performance.now();
    const ids = await searchEventIds(
      { reads: { pool: db.pool } } as Pick<Runtime, 'reads'>,
      admin,
      { payload },
      { limit: 51, inverted: false },
    );
    return { ms: performance.now() - begin, found: ids.length };
  };
  for (const [name, make] of [
    ['one order id (1 match)', (i: number) => [{ path: 'data.order_id', equals: `ORD-${(i * 7919) % total}` }]],
    ['one customer (100 matches)', (i: number) => [{ path: 'data.customer', equals: `C-${(i * 31) % 10000}` }]],
    [
      'customer and amount (two fields)',
      (i: number) => [
        { path: 'data.customer', equals: `C-${(i * 31) % 10000}` },
        { path: 'data.amount', equals: String(i % 500) },
      ],
    ],
  ] as const) {
    const times: number[] = [];
    let found = 0;
    for (let i = 0; i < queries; i++) {
      const result = await time(make(i));
      times.push(result.ms);
      found += result.found;
    }
    times.sort((a, b) => a - b);
    console.log(
      `${name}: p50 ${quantile(times, 0.5).toFixed(1)} ms, p99 ${quantile(times, 0.99).toFixed(1)} ms, ` +
        `${(found / queries).toFixed(1)} events per first page`,
    );
  }
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => cleanupAll());
