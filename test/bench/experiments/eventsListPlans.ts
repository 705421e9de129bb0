/**
 * Why an events-list query is fast or slow with a big history: seeds `--events` events
 * (as the events-list scenario does), then prints EXPLAIN (ANALYZE, BUFFERS) of the
 * queries the REST list (Prisma) and GraphQL's Query.events (server/events/eventSearch.ts)
 * send for the first page, and of the alternatives proposed in docs/performance-history.md.
 *
 *   node --import tsx test/bench/experiments/eventsListPlans.ts [--events 1000000]
 */
import { parseArgs } from 'node:util';
import { cleanupAll, cleanupOnSignals } from '../support/cleanup.ts';
import { startBenchDatabase } from '../support/database.ts';
import { eventBody } from '../support/hookpostApi.ts';
import { seedHistory } from '../support/seedHistory.ts';

const { values } = parseArgs({ options: { events: { type: 'string' } } });
const events = Number(values.events ?? 1_000_000);
const PAGE = 51; // 50 shown, one more to learn whether there is a next page

async function main() {
  cleanupOnSignals();
  const db = await startBenchDatabase({ databaseUrl: process.env.DATABASE_URL, pgStats: false, keep: false });
  const { rows } = await db.pool.query<{ mailbox: string; endpoint: string }>(`
    with m as (insert into mailbox (id, name) select gen_random_uuid(), 'history ' || g from generate_series(1, 10) g returning id),
         e as (insert into endpoint (id, mailbox_id, url, retry_policy) select gen_random_uuid(), id, 'http://127.0.0.1:9/hook', '{}' from m returning id, mailbox_id)
    select mailbox_id as mailbox, id as endpoint from e`);
  await seedHistory(db.pool, {
    events,
    mailboxIds: rows.map((r) => r.mailbox),
    endpointIds: rows.map((r) => r.endpoint),
    body: Buffer.from(eventBody(1024)),
    log: (m) => console.error(m),
  });
  const mailbox = rows[3]!.mailbox;

  const queries: [string, string][] = [
    ['GraphQL, no filter', `select e.id from event e order by e.id desc limit ${PAGE}`],
    [
      'GraphQL, status = any({failed})',
      `select e.id from event e where e.status = any('{failed}'::event_status[]) order by e.id desc limit ${PAGE}`,
    ],
    [
      "proposed: one status as status = 'failed'",
      `select e.id from event e where e.status = 'failed' order by e.id desc limit ${PAGE}`,
    ],
    [
      'proposed: several statuses as one ordered scan per status, merged',
      `select id from ((select e.id from event e where e.status = 'failed' order by e.id desc limit ${PAGE})
        union all (select e.id from event e where e.status = 'cancelled' order by e.id desc limit ${PAGE})) s order by id desc limit ${PAGE}`,
    ],
    [
      'GraphQL, mailbox + status = any({failed})',
      `select e.id from event e where e.mailbox_id = '${mailbox}' and e.status = any('{failed}'::event_status[]) order by e.id desc limit ${PAGE}`,
    ],
    [
      'REST (Prisma), status = failed',
      `select e.id, e.mailbox_id, e.event_type, e.status from event e where e.status = 'failed' order by e.id desc limit ${PAGE} offset 0`,
    ],
  ];
  for (const [name, sql] of queries) {
    const plan = await db.pool.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers, costs off) ${sql}`);
    console.log(
      `\n### ${name}\n\n\`\`\`\n${sql.replace(/\s+/g, ' ')}\n\n${plan.rows.map((r) => r['QUERY PLAN']).join('\n')}\n\`\`\``,
    );
  }

  await db.pool.query('create index event_mailbox_id_status_id_idx on event (mailbox_id, status, id desc)');
  await db.pool.query('analyze event');
  const [name, sql] = queries[4]!;
  const plan = await db.pool.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers, costs off) ${sql}`);
  console.log(
    `\n### ${name}, with an index on (mailbox_id, status, id desc)\n\n\`\`\`\n${plan.rows.map((r) => r['QUERY PLAN']).join('\n')}\n\`\`\``,
  );
}

try {
  await main();
} finally {
  await cleanupAll();
}
