/**
 * Invariant 6 across processes: the API runs here, the delivery worker in a separate
 * real process on the same database. Attempts the worker makes reach this process's
 * GraphQL subscribers (SSE and WebSocket) through PostgreSQL NOTIFY, including a failed
 * attempt, its scheduled retry and the final delivery.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { gqlData, subscribeSse, subscribeWs, type GraphQLResponse, type Subscription } from './support/graphql.ts';
import { sendEvent } from './support/hookpost.ts';
import { useHookpost, useReceiver } from './support/hooks.ts';
import { spawnHookpost, type HookpostProcess } from './support/process.ts';

const { db, hookpost: api } = useHookpost({ role: 'api' });
const receiver = useReceiver();
let worker: HookpostProcess;
const open: Subscription[] = [];

const DELIVERIES = `subscription($e: ID) { deliveryUpdated(eventId: $e) { updates { status delivery { id attemptCount } attempt { number statusCode trigger errorKind } } skipped resync } }`;
type Payload = {
  deliveryUpdated: {
    updates: {
      status: string;
      delivery: { id: string; attemptCount: number };
      attempt: { number: number; statusCode: number | null; trigger: string } | null;
    }[];
  };
};
const updates = (payloads: GraphQLResponse<Payload>[]) =>
  payloads.flatMap((p) => p.data?.deliveryUpdated.updates ?? []);

beforeAll(async () => {
  worker = await spawnHookpost({
    databaseUrl: db.url,
    role: 'worker',
    env: { HOOKPOST_WORKER_POLL_INTERVAL_MS: '100' },
  });
  await worker.waitForLog(/Delivery worker .* started/);
});

afterAll(async () => {
  for (const subscription of open) await subscription.close();
  if (worker) {
    worker.kill('SIGTERM');
    await worker.exited;
  }
});

describe('subscriptions fed by a worker in another process', () => {
  test("the worker's attempts, a failure, its retry and the delivery are pushed over SSE and WebSocket", async () => {
    // First attempt answered 500, the retry 200, 1.5 s later: far enough apart not to be
    // merged into one update (updates of one delivery within a window are).
    let calls = 0;
    receiver.reply(() => (++calls === 1 ? { status: 500, body: 'try again' } : { status: 200, body: 'ok' }));
    const created = await gqlData(
      api,
      `mutation($url: String!) { createMailbox(input: {name: "Split", targetUrl: $url}) { apiKey mailbox { id } endpoint { id } } }`,
      { url: `${receiver.url}/split` },
    );
    await gqlData(
      api,
      `mutation($id: ID!) { updateEndpoint(id: $id, input: {retryPolicy: {maxAttempts: 3, baseDelayMs: 1500}}) { id } }`,
      { id: created.createMailbox.endpoint.id },
    );

    const sse = subscribeSse<Payload>(api, DELIVERIES);
    const ws = subscribeWs<Payload>(api, DELIVERIES);
    open.push(sse, ws);
    // Until the server holds both (nothing tells when), the first attempt's update would be
    // missed: a second, not 300 ms, for a loaded CI machine.
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    const response = await sendEvent(
      api,
      { id: created.createMailbox.mailbox.id, api_key: created.createMailbox.apiKey },
      { event: 'split.process' },
    );
    expect(response.status).toBe(202);

    for (const subscription of [sse, ws]) {
      const payloads = await subscription.until((p) => updates(p).some((u) => u.status === 'delivered'), 20_000);
      const seen = updates(payloads);
      const attempts = seen.flatMap((u) => (u.attempt ? [u.attempt] : []));
      expect(attempts).toContainEqual({ number: 1, statusCode: 500, trigger: 'scheduled', errorKind: 'http_status' });
      expect(attempts).toContainEqual({ number: 2, statusCode: 200, trigger: 'scheduled', errorKind: null });
      expect(seen.at(-1)).toMatchObject({ status: 'delivered', delivery: { attemptCount: 2 } });
    }
    // The attempts were made by the other process: this one runs no worker.
    expect(api.worker).toBeNull();
    expect(receiver.requests).toHaveLength(2);
  });
});
