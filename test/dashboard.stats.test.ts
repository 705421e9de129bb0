/**
 * The statistics the dashboard's overview and mailbox list read: events received per
 * minute, delivery latency percentiles, and endpoints' health with the failing ones first.
 */
import { beforeAll, describe, expect, test, vi } from 'vitest';
import { gqlData } from './support/graphql.ts';
import { sendEvent } from './support/hookpost.ts';
import { useHookpost, useReceiver } from './support/hooks.ts';

const { hookpost } = useHookpost();
const receiver = useReceiver({ status: 200, body: 'ok', delayMs: 30 });
let healthyId: string;
let deadId: string;

beforeAll(async () => {
  const created = await gqlData(
    hookpost,
    `mutation($url: String!) { createMailbox(input: {name: "Orders", targetUrl: $url}) { apiKey mailbox { id } endpoint { id } } }`,
    { url: `${receiver.url}/orders` },
  );
  healthyId = created.createMailbox.endpoint.id;
  // Nothing listens on port 1: every attempt there is refused.
  deadId = (
    await gqlData(
      hookpost,
      `mutation($id: ID!) { createEndpoint(input: {mailboxId: $id, url: "http://127.0.0.1:1/dead", retryPolicy: {maxAttempts: 1}}) { endpoint { id } } }`,
      { id: created.createMailbox.mailbox.id },
    )
  ).createEndpoint.endpoint.id;
  for (let i = 0; i < 3; i++)
    await sendEvent(
      hookpost,
      { id: created.createMailbox.mailbox.id, api_key: created.createMailbox.apiKey },
      { event: 'order.created', i },
    );
  await vi.waitFor(
    async () => {
      const stats = (await gqlData(hookpost, `{ stats { deliveries { status count } } }`)).stats;
      expect(stats.deliveries.filter((c: { count: number }) => c.count > 0)).toEqual([
        { status: 'delivered', count: 3 },
        { status: 'failed', count: 3 },
      ]);
    },
    { timeout: 15_000 },
  );
});

describe('stats for the dashboard', () => {
  test('events received per minute and delivery latency percentiles', async () => {
    const stats = (
      await gqlData(hookpost, `{ stats { latency { p50Ms p95Ms } activityPerMinute { minute received p50Ms p95Ms } } }`)
    ).stats;
    expect(stats.activityPerMinute.length).toBeGreaterThanOrEqual(60);
    expect(stats.activityPerMinute.reduce((sum: number, m: { received: number }) => sum + m.received, 0)).toBe(3);
    // The receiver waits 30 ms before answering: no delivery can be faster.
    expect(stats.latency.p50Ms).toBeGreaterThanOrEqual(30);
    expect(stats.latency.p95Ms).toBeGreaterThanOrEqual(stats.latency.p50Ms);
    const busy = stats.activityPerMinute.filter((m: { p50Ms: number | null }) => m.p50Ms !== null);
    expect(busy.length).toBeGreaterThanOrEqual(1);
    expect(
      stats.activityPerMinute.filter(
        (m: { received: number; p50Ms: number | null }) => m.received === 0 && m.p50Ms === null,
      ).length,
    ).toBeGreaterThan(0);
  });

  test('endpoints with failed deliveries come first, with their last error', async () => {
    const stats = (
      await gqlData(
        hookpost,
        `{ stats { endpoints { endpoint { id url mailbox { name } } attempts succeeded failed failedDeliveries lastAttemptAt lastError } } }`,
      )
    ).stats;
    expect(stats.endpoints.map((health: { endpoint: { id: string } }) => health.endpoint.id)).toEqual([
      deadId,
      healthyId,
    ]);
    const [dead, healthy] = stats.endpoints;
    expect(dead).toMatchObject({
      attempts: 3,
      succeeded: 0,
      failed: 3,
      failedDeliveries: 3,
      endpoint: { mailbox: { name: 'Orders' } },
    });
    expect(dead.lastError).toBeTruthy();
    expect(healthy).toMatchObject({ attempts: 3, succeeded: 3, failed: 0, failedDeliveries: 0, lastError: null });
    const one = (
      await gqlData(hookpost, `query($e: ID) { stats(endpointId: $e) { endpoints(first: 5) { endpoint { id } } } }`, {
        e: healthyId,
      })
    ).stats;
    expect(one.endpoints).toEqual([{ endpoint: { id: healthyId } }]);
  });
});
