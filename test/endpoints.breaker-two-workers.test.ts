/**
 * The circuit breaker shared by two worker processes (issue 16): the API runs here, two
 * delivery workers run as separate real processes (`--role worker`) on the same database,
 * and a real receiver fails in patterns. A receiver down for a while opens the circuit
 * once, for both; while open only one probe at a time reaches it, whichever worker sends
 * it; back, the probe closes the circuit and the held backlog is delivered once each. A
 * receiver that flaps (back, then down again at once) reopens the circuit with a longer
 * rest. A 410 disables the endpoint once; a 429 with Retry-After holds both workers back
 * until then; a slow receiver's timeouts open the circuit like errors; a concurrency limit
 * holds for both together. Both workers run
 * deliver jobs throughout, so a breaker kept per process would let the other worker's
 * jobs through and fail these tests.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { gqlData } from './support/graphql.ts';
import { createMailbox, sendEvent, startTestHookpost, type TestHookpost } from './support/hookpost.ts';
import { spawnHookpost, type HookpostProcess } from './support/process.ts';
import { startReceiver, type ReceivedRequest, type Receiver } from './support/receiver.ts';

let db: TestDatabase;
let api: TestHookpost;
const workers: HookpostProcess[] = [];
const receivers: Receiver[] = [];

/** Rests this short keep the test well under a minute; the probe comes at the next health tick (250 ms). */
const COOL_DOWN_MS = 1_000;

beforeAll(async () => {
  db = await createTestDatabase();
  api = await startTestHookpost(db.url, { role: 'api' });
  for (let i = 0; i < 2; i++) {
    const worker = await spawnHookpost({
      databaseUrl: db.url,
      role: 'worker',
      // Debug: graphile-worker's "Completed task" lines show which process ran each job.
      env: {
        LOG_LEVEL: 'debug',
        HOOKPOST_WORKER_POLL_INTERVAL_MS: '100',
        HOOKPOST_HEARTBEAT_INTERVAL_MS: '250',
      },
    });
    workers.push(worker);
  }
  await Promise.all(workers.map((worker) => worker.waitForLog(/Delivery worker .* started/)));
});

afterAll(async () => {
  for (const worker of workers) {
    worker.kill('SIGTERM');
    await worker.exited;
  }
  for (const receiver of receivers) await receiver.close();
  await api?.stop();
  await db?.drop();
});

/** A receiver that answers 503 while `down`, else 200, and counts its 2xx answers by webhook-id. */
async function patternedReceiver() {
  const state = { down: false };
  const delivered = new Map<string, number>();
  const receiver = await startReceiver();
  receiver.reply((request) => {
    if (state.down) return { status: 503, body: 'down' };
    const id = webhookId(request);
    delivered.set(id, (delivered.get(id) ?? 0) + 1);
    return { status: 200, body: 'ok' };
  });
  receivers.push(receiver);
  return { receiver, state, delivered };
}

const webhookId = (request: ReceivedRequest) => String(request.headers['webhook-id']);

/** A mailbox with one endpoint: retries 2 s apart (none due during a short rest), a small health policy. */
async function setUp(receiver: Receiver, healthPolicy: Record<string, unknown>) {
  const mailbox = await createMailbox(api, { name: `breaker ${Math.random()}` });
  const response = await api.api(`/api/mailboxes/${mailbox.id}/endpoints`, {
    method: 'POST',
    json: {
      url: `${receiver.url}/hook`,
      retry_policy: { max_attempts: 10, base_delay_ms: 2_000, factor: 1, jitter: 0 },
      health_policy: { min_attempts: 1_000, ...healthPolicy },
    },
  });
  expect(response.status).toBe(201);
  return { mailbox, endpointId: (await response.json()).id as string };
}

async function send(mailbox: Awaited<ReturnType<typeof createMailbox>>, count: number): Promise<string[]> {
  // All at once: each event is its own job, so both workers take some.
  const responses = await Promise.all(
    Array.from({ length: count }, (_, i) => sendEvent(api, mailbox, { event: 'order.created', data: { i } })),
  );
  return Promise.all(
    responses.map(async (response) => {
      expect(response.status).toBe(202);
      return (await response.json()).tracking_number as string;
    }),
  );
}

interface RestHealth {
  circuit_state: string;
  reason: string | null;
  opened_at: string | null;
  retry_at: string | null;
  held_count: number;
}
const restHealth = async (endpointId: string): Promise<RestHealth> =>
  (await api.api(`/api/endpoints/${endpointId}/health`)).json();
const graphqlCircuit = async (endpointId: string) =>
  (
    await gqlData(
      api,
      `query($id: ID!) { endpoint(id: $id) { circuit { circuitState heldCount openedAt retryAt } } }`,
      {
        id: endpointId,
      },
    )
  ).endpoint.circuit;

interface RestAttempt {
  number: number;
  status_code: number | null;
  trigger: string;
}
const deliveryOf = async (trackingNumber: string) => {
  const event = await (await api.api(`/api/webhooks/${trackingNumber}`)).json();
  return event.deliveries[0] as { id: string; status: string; attempts: RestAttempt[] };
};

/** Log lines of both workers whose message matches, with the worker they came from. */
const logsMatching = (pattern: RegExp, since = 0) =>
  workers.flatMap((worker, index) =>
    worker.logs
      .filter((line) => pattern.test(line.msg) && Number(line.time ?? 0) >= since)
      .map((line) => ({ ...line, worker: index })),
  );
/** The workers (by index) that completed `deliver` jobs since then. */
const workersThatRanDeliverJobs = (since: number) =>
  new Set(logsMatching(/^Completed task \d+ \(deliver,/, since).map((line) => line.worker));

const waitFor = (check: () => Promise<void> | void, timeout = 20_000) => vi.waitFor(check, { timeout, interval: 100 });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('one circuit breaker across two worker processes', () => {
  test('a receiver down for a while: the circuit opens once, holds, probes one at a time, closes, and the backlog is delivered once each', async () => {
    const { receiver, state, delivered } = await patternedReceiver();
    const { mailbox, endpointId } = await setUp(receiver, {
      failure_threshold: 3,
      cool_down_ms: COOL_DOWN_MS,
      max_cool_down_ms: 2 * COOL_DOWN_MS,
    });

    // Up: both workers deliver (each event its own job), so both share the endpoint from here on.
    const warmUp: string[] = [];
    await waitFor(async () => {
      warmUp.push(...(await send(mailbox, 4)));
      await waitFor(() => expect(delivered.size).toBe(warmUp.length), 10_000);
      expect(new Set(logsMatching(/^Delivery .* attempt 1 delivered/).map((line) => line.worker))).toEqual(
        new Set([0, 1]),
      );
    }, 30_000);

    // Down: three failures in a row open the circuit, once, for both workers.
    state.down = true;
    const first = await send(mailbox, 3);
    await waitFor(async () => expect((await restHealth(endpointId)).circuit_state).toBe('open'));
    const openedAt = Date.now();
    expect(receiver.requests.filter((request) => request.at > 0)).toHaveLength(warmUp.length + 3);
    const opened = await restHealth(endpointId);
    expect(opened.reason).toMatch(/3 attempts in a row failed \(last: HTTP 503\)/);
    expect(await graphqlCircuit(endpointId)).toMatchObject({ circuitState: 'open', openedAt: opened.opened_at });

    // While open: more events, one at a time, each its own job, until both workers have run
    // some (ten at least); whichever worker runs a job holds its delivery, none attempts it.
    const requestsBefore = receiver.requests.length;
    const held: string[] = [];
    while (held.length < 10 || (workersThatRanDeliverJobs(openedAt).size < 2 && held.length < 40)) {
      held.push(...(await send(mailbox, 1)));
      await sleep(50);
    }
    await waitFor(async () => expect((await restHealth(endpointId)).held_count).toBeGreaterThanOrEqual(held.length));
    // Down a few rests more: probes fail and the circuit reopens, one probe per rest.
    await sleep(3 * COOL_DOWN_MS + 500);
    // A worker logs a failed probe after the receiver has answered it, through its stdout: a
    // probe answered just now may not be in the logs yet. Read both once they agree.
    const probeFailed = new RegExp(`Endpoint ${endpointId}'s circuit is open: The probe delivery failed`);
    await waitFor(() => expect(logsMatching(probeFailed)).toHaveLength(receiver.requests.length - requestsBefore));
    const whileOpen = receiver.requests.slice(requestsBefore);
    const failedProbes = logsMatching(probeFailed);
    expect(whileOpen.length).toBeGreaterThanOrEqual(1);
    // A rest is at least COOL_DOWN_MS, so at most one probe per COOL_DOWN_MS since opening.
    expect(whileOpen.length).toBeLessThanOrEqual(Math.ceil((Date.now() - openedAt) / COOL_DOWN_MS));
    expect(failedProbes).toHaveLength(whileOpen.length);
    // One probe at a time: never two close together (each worker probing on its own would).
    const gaps = whileOpen.slice(1).map((request, i) => request.at - whileOpen[i]!.at);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(COOL_DOWN_MS - 100);
    // Both workers ran deliver jobs while the circuit was open, and sent nothing but the probes.
    expect(workersThatRanDeliverJobs(openedAt)).toEqual(new Set([0, 1]));

    // Back: the next probe closes the circuit and everything held is delivered.
    state.down = false;
    const all = [...warmUp, ...first, ...held];
    await waitFor(async () => {
      expect((await restHealth(endpointId)).circuit_state).toBe('closed');
      const deliveries = await Promise.all(all.map(deliveryOf));
      expect(deliveries.map((delivery) => delivery.status)).toEqual(all.map(() => 'delivered'));
    }, 30_000);
    expect(await graphqlCircuit(endpointId)).toMatchObject({ circuitState: 'closed', heldCount: 0 });
    // Opened once from closed (the reopenings were failed probes), closed once.
    expect(
      logsMatching(new RegExp(`Endpoint ${endpointId}'s circuit is open: \\d+ attempts in a row failed`)),
    ).toHaveLength(1);
    expect(logsMatching(new RegExp(`Endpoint ${endpointId}'s circuit is closed`))).toHaveLength(1);

    // Exactly once each, by webhook-id, and the attempts API tells the same story as the receiver.
    const deliveries = await Promise.all(all.map(deliveryOf));
    expect([...delivered.keys()].sort()).toEqual(deliveries.map((delivery) => delivery.id).sort());
    expect([...delivered.values()]).toEqual(all.map(() => 1));
    for (const delivery of deliveries) {
      const requests = receiver.requests.filter((request) => webhookId(request) === delivery.id);
      expect(delivery.attempts).toHaveLength(requests.length);
      expect(delivery.attempts.filter((attempt) => attempt.status_code === 200)).toHaveLength(1);
    }
    // Attempts in all: the warm-up, the three that opened it, the failed probes, one success per held delivery.
    expect(receiver.requests).toHaveLength(warmUp.length + 3 + failedProbes.length + first.length + held.length);
  }, 90_000);

  test('a flapping receiver (down, back, down again at once): the circuit reopens with a longer rest', async () => {
    const { receiver, state, delivered } = await patternedReceiver();
    const { mailbox, endpointId } = await setUp(receiver, {
      failure_threshold: 2,
      cool_down_ms: COOL_DOWN_MS,
      max_cool_down_ms: 8 * COOL_DOWN_MS,
      window_ms: 10_000,
    });
    const rest = (health: RestHealth) => Date.parse(health.retry_at!) - Date.parse(health.opened_at!);

    // Down: it opens with the policy's first rest.
    state.down = true;
    const first = await send(mailbox, 2);
    await waitFor(async () => expect((await restHealth(endpointId)).circuit_state).toBe('open'));
    const firstOpening = await restHealth(endpointId);
    expect(rest(firstOpening)).toBe(COOL_DOWN_MS);

    // Back before the probe: the probe succeeds and closes the circuit.
    state.down = false;
    await waitFor(async () => expect((await restHealth(endpointId)).circuit_state).toBe('closed'));
    // Down again at once: it reopens, and rests twice as long as it did.
    state.down = true;
    const second = await send(mailbox, 2);
    await waitFor(async () => {
      const health = await restHealth(endpointId);
      expect(health.circuit_state).toBe('open');
      expect(health.opened_at).not.toBe(firstOpening.opened_at);
    });
    const reopening = await restHealth(endpointId);
    expect(rest(reopening)).toBe(2 * COOL_DOWN_MS);
    expect(await graphqlCircuit(endpointId)).toMatchObject({ circuitState: 'open' });
    // Nothing reaches the receiver before the longer rest is over.
    const reopenedAt = Date.parse(reopening.opened_at!);
    await sleep(2 * COOL_DOWN_MS + 500);
    const early = receiver.requests.filter(
      (request) => request.at > reopenedAt + 50 && request.at < reopenedAt + 1_900,
    );
    expect(early).toEqual([]);

    // Back for good: everything is delivered once each.
    state.down = false;
    const all = [...first, ...second];
    await waitFor(async () => {
      expect((await restHealth(endpointId)).circuit_state).toBe('closed');
      const deliveries = await Promise.all(all.map(deliveryOf));
      expect(deliveries.map((delivery) => delivery.status)).toEqual(all.map(() => 'delivered'));
    }, 30_000);
    expect([...delivered.values()]).toEqual(all.map(() => 1));
    expect(delivered.size).toBe(all.length);
  }, 60_000);

  test('a 410 Gone disables the endpoint once, for both workers: nothing is attempted twice or after', async () => {
    const receiver = await startReceiver({ status: 410, body: 'gone' });
    receivers.push(receiver);
    const { mailbox, endpointId } = await setUp(receiver, { failure_threshold: 3, cool_down_ms: COOL_DOWN_MS });
    const sent = await send(mailbox, 6);
    await waitFor(async () => {
      const endpoint = await (await api.api(`/api/endpoints/${endpointId}`)).json();
      expect(endpoint).toMatchObject({ enabled: false, disabled_reason: expect.stringMatching(/410 Gone/) });
    });
    // What was not attempted yet, and what would have been retried, is cancelled.
    await waitFor(async () => {
      const deliveries = await Promise.all(sent.map(deliveryOf));
      expect(deliveries.map((delivery) => delivery.status)).toEqual(sent.map(() => 'cancelled'));
    });
    expect(logsMatching(new RegExp(`Endpoint ${endpointId} disabled: The endpoint answered 410`))).toHaveLength(1);
    const ids = receiver.requests.map(webhookId);
    expect(new Set(ids).size).toBe(ids.length);
    // Sent now, an event finds no endpoint to go to; the receiver hears nothing more.
    const attempted = receiver.requests.length;
    const [later] = await send(mailbox, 1);
    expect((await (await api.api(`/api/webhooks/${later}`)).json()).status).toBe('unrouted');
    await sleep(500);
    expect(receiver.requests).toHaveLength(attempted);
  });

  test('429 with Retry-After slows the endpoint for both workers: nothing goes before the time asked', async () => {
    const { receiver, delivered } = await patternedReceiver();
    let throttledAt = 0;
    receiver.reply((request) => {
      if (!throttledAt) {
        throttledAt = Date.now();
        return { status: 429, headers: { 'retry-after': '2' } };
      }
      const id = webhookId(request);
      delivered.set(id, (delivered.get(id) ?? 0) + 1);
      return { status: 200 };
    });
    const { mailbox, endpointId } = await setUp(receiver, { failure_threshold: 3, cool_down_ms: COOL_DOWN_MS });
    const first = await send(mailbox, 1);
    let until = 0;
    await waitFor(async () => {
      const health = await (await api.api(`/api/endpoints/${endpointId}/health`)).json();
      until = Date.parse(health.throttled_until);
      expect(until).toBeGreaterThan(0);
    });
    expect(until - throttledAt).toBeGreaterThanOrEqual(1_900);
    // Many at once, so both workers have jobs for it while it is throttled.
    const more = await send(mailbox, 10);
    const all = [...first, ...more];
    await waitFor(async () => {
      const deliveries = await Promise.all(all.map(deliveryOf));
      expect(deliveries.map((delivery) => delivery.status)).toEqual(all.map(() => 'delivered'));
    });
    const after = receiver.requests.slice(1).map((request) => request.at);
    expect(after).toHaveLength(all.length);
    expect(Math.min(...after)).toBeGreaterThanOrEqual(until - 50);
    expect([...delivered.values()]).toEqual(all.map(() => 1));
    // A 429 is not the receiver failing: the circuit stayed closed.
    expect((await restHealth(endpointId)).circuit_state).toBe('closed');
  });

  test('a slow receiver (answering after the timeout): timeouts open the circuit once, and it closes when it is fast again', async () => {
    const receiver = await startReceiver({ status: 200, delayMs: 1_500 });
    receivers.push(receiver);
    const mailbox = await createMailbox(api, { name: `slow ${Math.random()}` });
    const created = await api.api(`/api/mailboxes/${mailbox.id}/endpoints`, {
      method: 'POST',
      json: {
        url: `${receiver.url}/hook`,
        timeout_ms: 1_000,
        retry_policy: { max_attempts: 10, base_delay_ms: 2_000, factor: 1, jitter: 0 },
        health_policy: {
          failure_threshold: 2,
          cool_down_ms: COOL_DOWN_MS,
          max_cool_down_ms: 2 * COOL_DOWN_MS,
          min_attempts: 1_000,
        },
      },
    });
    const endpointId = (await created.json()).id as string;
    const sent = await send(mailbox, 2);
    await waitFor(async () => expect((await restHealth(endpointId)).circuit_state).toBe('open'));
    expect((await restHealth(endpointId)).reason).toMatch(/timeout/);
    const held = await send(mailbox, 4);
    receiver.reply({ status: 200 });
    const all = [...sent, ...held];
    await waitFor(async () => {
      expect((await restHealth(endpointId)).circuit_state).toBe('closed');
      const deliveries = await Promise.all(all.map(deliveryOf));
      expect(deliveries.map((delivery) => delivery.status)).toEqual(all.map(() => 'delivered'));
    }, 30_000);
    expect(
      logsMatching(new RegExp(`Endpoint ${endpointId}'s circuit is open: \\d+ attempts in a row failed`)),
    ).toHaveLength(1);
    // Each delivered by exactly one successful attempt; the timed-out ones are on record as timeouts.
    for (const delivery of await Promise.all(all.map(deliveryOf))) {
      expect(delivery.attempts.filter((attempt) => attempt.status_code === 200)).toHaveLength(1);
      expect(
        delivery.attempts.filter((attempt) => attempt.status_code !== 200).every((a) => a.status_code === null),
      ).toBe(true);
    }
  }, 60_000);

  test('a concurrency limit holds across both workers: never more requests open at the receiver than the limit, each delivery once', async () => {
    const LIMIT = 3;
    // Counts requests open at once, from the request's arrival until its answer is written.
    let open = 0;
    let mostOpen = 0;
    const delivered = new Map<string, number>();
    const server = http.createServer((req, res) => {
      open++;
      mostOpen = Math.max(mostOpen, open);
      req.resume();
      req.on('end', () =>
        setTimeout(() => {
          const id = String(req.headers['webhook-id']);
          delivered.set(id, (delivered.get(id) ?? 0) + 1);
          open--;
          res.end('ok');
        }, 200),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const mailbox = await createMailbox(api, { name: `limited ${Math.random()}` });
      const created = await api.api(`/api/mailboxes/${mailbox.id}/endpoints`, {
        method: 'POST',
        json: { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, max_in_flight: LIMIT },
      });
      expect(created.status).toBe(201);
      const started = Date.now();
      const since = Date.now();
      const sent = await send(mailbox, 30);
      await waitFor(() => expect(delivered.size).toBe(sent.length), 60_000);
      console.log(
        `max_in_flight ${LIMIT}, receiver answering in 200 ms: 30 deliveries in ${Date.now() - started} ms (${LIMIT} at a time would take 2,000 ms)`,
      );
      expect(mostOpen).toBeLessThanOrEqual(LIMIT);
      expect(mostOpen).toBeGreaterThan(1);
      expect([...delivered.values()].every((count) => count === 1)).toBe(true);
      expect(workersThatRanDeliverJobs(since)).toEqual(new Set([0, 1]));
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 90_000);
});
