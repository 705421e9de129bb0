/**
 * The insert ceiling without pgbench: `connections` pg clients, each committing one
 * statement per transaction (autocommit) back to back for `durationS` seconds. A program
 * of its own, so its CPU is not the bench's. Prints one JSON line with the result.
 *
 *   node --import tsx insertDriver.ts '{"url": …, "connections": 64, "durationS": 10, "body": "…", "statement": "insert … values ($1)"}'
 */
import pg from 'pg';
import { summarize } from '../support/stats.ts';

const { url, connections, durationS, body, statement } = JSON.parse(process.argv[2]!) as {
  url: string;
  connections: number;
  durationS: number;
  body: string;
  statement: string;
};
const clients = await Promise.all(
  Array.from({ length: connections }, async () => {
    const client = new pg.Client({ connectionString: url, application_name: 'hookpost-bench-insert' });
    await client.connect();
    return client;
  }),
);
const latencies: number[] = [];
const bytes = Buffer.from(body);
const started = performance.now();
const deadline = started + durationS * 1000;
await Promise.all(
  clients.map(async (client) => {
    while (performance.now() < deadline) {
      const t = performance.now();
      await client.query({ name: 'insert_ceiling', text: statement, values: [bytes] });
      latencies.push(performance.now() - t);
    }
  }),
);
const elapsedS = (performance.now() - started) / 1000;
await Promise.all(clients.map((client) => client.end()));
const latency = summarize(latencies);
console.log(
  JSON.stringify({
    transactions: latencies.length,
    durationS: elapsedS,
    p50: latency.p50,
    p99: latency.p99,
    max: latency.max,
  }),
);
