/**
 * No N+1: a page of events with their deliveries, endpoints and last attempts costs the
 * same, small number of SQL statements whether it holds 10 events or 100. Every
 * statement sent on Hookpost's database pools (the application pool and the read pool)
 * during the request is counted.
 */
import pg from 'pg';
import { beforeAll, expect, test, vi } from 'vitest';
import { gqlData } from './support/graphql.ts';
import { sendEvent } from './support/hookpost.ts';
import { useHookpost, useReceiver } from './support/hooks.ts';

const { db, hookpost } = useHookpost({ workerConcurrency: 16 });
const receiver = useReceiver();
let mailboxId: string;

const PAGE = `query($first: Int!, $m: ID!) { events(first: $first, filter: {mailboxId: $m}) { edges { node {
  trackingNumber status eventType receivedAt mailbox { name }
  deliveries { totalCount edges { node { id status attemptCount endpoint { url enabled } lastAttempt { number statusCode durationMs succeeded responseBody } } } }
} } } }`;

beforeAll(async () => {
  const created = await gqlData(
    hookpost,
    `mutation($url: String!) { createMailbox(input: {name: "Busy", targetUrl: $url}) { apiKey mailbox { id } } }`,
    { url: `${receiver.url}/a` },
  );
  mailboxId = created.createMailbox.mailbox.id;
  await gqlData(
    hookpost,
    `mutation($m: ID!, $url: String!) { createEndpoint(input: {mailboxId: $m, url: $url}) { endpoint { id } } }`,
    { m: mailboxId, url: `${receiver.url}/b` },
  );
  for (let i = 0; i < 100; i++) {
    expect(
      (await sendEvent(hookpost, { id: mailboxId, api_key: created.createMailbox.apiKey }, { event: 'bulk.item', i }))
        .status,
    ).toBe(202);
  }
  await vi.waitFor(async () => expect(await db.count('delivery', `status = 'delivered'`)).toBe(200), {
    timeout: 30_000,
    interval: 200,
  });
  // Let the worker go idle so only the request's own statements are counted.
  await new Promise((resolve) => setTimeout(resolve, 500));
});

/** Runs `work` and returns how many statements went through Hookpost's pools meanwhile. */
async function countStatements(work: () => Promise<unknown>): Promise<{ count: number; texts: string[] }> {
  const pools = [hookpost.runtime.pool, hookpost.runtime.reads.pool];
  const ours = new WeakSet<pg.Client>();
  const onAcquire = (client: pg.PoolClient) => ours.add(client as unknown as pg.Client);
  for (const pool of pools) pool.on('acquire', onAcquire);
  const texts: string[] = [];
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    if (ours.has(this)) {
      const config = args[0] as string | { text: string };
      texts.push(typeof config === 'string' ? config : config.text);
    }
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  try {
    await work();
  } finally {
    pg.Client.prototype.query = original;
    for (const pool of pools) pool.off('acquire', onAcquire);
  }
  return { count: texts.length, texts };
}

test('a page of 100 events with deliveries and last attempts costs as many statements as a page of 10', async () => {
  let large:
    | { events: { edges: { node: { deliveries: { edges: { node: { lastAttempt: { statusCode: number } } }[] } } }[] } }
    | undefined;
  // The fewest of three tries: the worker's background work (retention's pass once a
  // minute) goes through the same pool and only ever adds statements to a try it overlaps.
  const fewest = async (work: () => Promise<unknown>) => {
    const tries = [];
    for (let i = 0; i < 3; i++) tries.push(await countStatements(work));
    return tries.reduce((least, next) => (next.count < least.count ? next : least));
  };
  const small = await fewest(() => gqlData(hookpost, PAGE, { first: 10, m: mailboxId }));
  const big = await fewest(async () => {
    large = await gqlData(hookpost, PAGE, { first: 100, m: mailboxId });
  });
  expect(large!.events.edges).toHaveLength(100);
  expect(
    large!.events.edges.every(
      (edge) =>
        edge.node.deliveries.edges.length === 2 &&
        edge.node.deliveries.edges.every((d) => d.node.lastAttempt.statusCode === 200),
    ),
  ).toBe(true);
  // The counter sees the request: at least the authentication, the search and the page.
  expect(small.count).toBeGreaterThanOrEqual(3);
  expect(big.count, big.texts.join('\n---\n')).toBe(small.count);
  // Authentication, the search, and one statement per level of the page (events, deliveries,
  // endpoints, attempts, counts, mailbox); a fixed number however long the page is.
  expect(big.count, big.texts.join('\n---\n')).toBeLessThanOrEqual(10);
});
