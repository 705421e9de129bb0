/**
 * Endpoint health against real receivers: the circuit opens after failures in a row and
 * holds deliveries instead of spending attempts, probes after its cool-down and releases
 * the backlog when the receiver is back; a 410 disables the endpoint with the reason;
 * pause holds and resume delivers in arrival order; a rate limit spreads a burst; dead
 * letters are listed and replayed once each, and a second replay doubles nothing; alerts
 * arrive signed at an endpoint of the system mailbox.
 */
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { gql, gqlData } from './support/graphql.ts';
import { createMailbox, sendEvent, type CreatedMailbox } from './support/hookpost.ts';
import { useHookpost, useReceiver } from './support/hooks.ts';
import { startReceiver, type Receiver } from './support/receiver.ts';

const { db, hookpost } = useHookpost({ heartbeatIntervalMs: 250 });
const alertReceiver = useReceiver({ status: 200 });
let alertSecret: string;
const receivers: Receiver[] = [];

beforeAll(async () => {
  const { systemMailbox } = await gqlData(hookpost, `{ systemMailbox { id system name } }`);
  expect(systemMailbox.system).toBe(true);
  const created = await hookpost.api(`/api/mailboxes/${systemMailbox.id}/endpoints`, {
    method: 'POST',
    json: { url: `${alertReceiver.url}/alerts` },
  });
  expect(created.status).toBe(201);
  alertSecret = (await created.json()).signing_secret;
});

afterAll(async () => {
  for (const receiver of receivers) await receiver.close();
});

async function receiverWith(status: number): Promise<Receiver> {
  const receiver = await startReceiver({ status });
  receivers.push(receiver);
  return receiver;
}

/** A mailbox with one endpoint to `receiver`, configured by `endpoint` (REST fields). */
async function setUp(receiver: Receiver, endpoint: Record<string, unknown> = {}) {
  const mailbox = await createMailbox(hookpost, { name: `health ${Math.random()}` });
  const response = await hookpost.api(`/api/mailboxes/${mailbox.id}/endpoints`, {
    method: 'POST',
    json: { url: `${receiver.url}/hook`, retry_policy: { max_attempts: 1 }, ...endpoint },
  });
  expect(response.status).toBe(201);
  return { mailbox, endpointId: (await response.json()).id as string };
}

const ENDPOINT = `query($id: ID!) { endpoint(id: $id) {
  enabled disabledReason pausedAt
  circuit { circuitState reason heldCount consecutiveFailures throttledUntil }
  deliveries(first: 100) { edges { node { status statusReason attemptCount event { id } attempts { totalCount } } } }
} }`;
const endpointState = async (id: string) => (await gqlData(hookpost, ENDPOINT, { id })).endpoint;
const statuses = (endpoint: { deliveries: { edges: { node: { status: string } }[] } }) =>
  endpoint.deliveries.edges.map((edge) => edge.node.status).sort();

async function send(mailbox: CreatedMailbox, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const response = await sendEvent(hookpost, mailbox, { event: 'order.created', data: { i } });
    expect(response.status).toBe(202);
    ids.push((await response.json()).tracking_number);
  }
  return ids;
}

/** The operational events that reached the alert receiver, verified with the system mailbox's secret. */
function alerts(): { type: string; data: Record<string, unknown> }[] {
  const webhook = new Webhook(alertSecret);
  return alertReceiver.requests.map((request) => {
    const verified = webhook.verify(request.body.toString(), {
      'webhook-id': String(request.headers['webhook-id']),
      'webhook-timestamp': String(request.headers['webhook-timestamp']),
      'webhook-signature': String(request.headers['webhook-signature']),
    }) as { type: string; data: Record<string, unknown> };
    return verified;
  });
}

const waitFor = (check: () => Promise<void> | void, timeout = 15_000) => vi.waitFor(check, { timeout, interval: 100 });

describe('the circuit breaker', () => {
  test('opens after failures in a row, holds instead of attempting, probes, and releases the backlog once the receiver is back', async () => {
    const receiver = await receiverWith(500);
    const { mailbox, endpointId } = await setUp(receiver, {});
    await gqlData(
      hookpost,
      `mutation($id: ID!) { updateEndpoint(id: $id, input: { healthPolicy: { failureThreshold: 3, coolDownMs: 1500 } }) { id } }`,
      { id: endpointId },
    );
    await send(mailbox, 3);
    await waitFor(async () => expect((await endpointState(endpointId)).circuit.circuitState).toBe('open'));
    const attemptsWhenOpened = receiver.requests.length;
    expect(attemptsWhenOpened).toBe(3);
    await send(mailbox, 10);
    await waitFor(async () => expect((await endpointState(endpointId)).circuit.heldCount).toBeGreaterThanOrEqual(9));
    const held = await endpointState(endpointId);
    expect(held.circuit.reason).toBeTruthy();
    expect(
      held.deliveries.edges.find((edge: { node: { status: string } }) => edge.node.status === 'held').node.statusReason,
    ).toBeTruthy();
    // Still down: the probe fails, the circuit reopens, still only a handful of attempts.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(receiver.requests.length).toBeLessThanOrEqual(attemptsWhenOpened + 2);
    // The first probe is due 1.5 s after the opening, and a worker under load may make it
    // later: it must have failed before the receiver comes back.
    await waitFor(() => expect(receiver.requests.length).toBeGreaterThan(attemptsWhenOpened));
    // Back: the next probe succeeds, the circuit closes, everything held is delivered.
    receiver.reply({ status: 200 });
    // The probes sent while it was still down failed (one attempt each); everything else
    // that was held is delivered, and nothing is left waiting.
    await waitFor(async () => {
      const state = await endpointState(endpointId);
      expect(state.circuit.circuitState).toBe('closed');
      expect(statuses(state).filter((s) => !['delivered', 'failed'].includes(s))).toEqual([]);
    }, 30_000);
    const final = statuses(await endpointState(endpointId));
    const failedProbes = final.filter((s) => s === 'failed').length - 3;
    expect(failedProbes).toBeGreaterThanOrEqual(1);
    expect(failedProbes).toBeLessThanOrEqual(2);
    expect(final.filter((s) => s === 'delivered')).toHaveLength(10 - failedProbes);
    expect(receiver.requests).toHaveLength(3 + 10);
    const types = alerts().map((alert) => alert.type);
    expect(types).toContain('endpoint.circuit_opened');
    expect(types).toContain('endpoint.circuit_closed');
    expect(types).toContain('delivery.exhausted');
  });

  test('a 410 Gone disables the endpoint at once, with the reason, and raises endpoint.disabled', async () => {
    const receiver = await receiverWith(410);
    const { mailbox, endpointId } = await setUp(receiver);
    await send(mailbox, 1);
    await waitFor(async () => expect((await endpointState(endpointId)).enabled).toBe(false));
    expect((await endpointState(endpointId)).disabledReason).toMatch(/410/);
    await waitFor(() =>
      expect(alerts().some((a) => a.type === 'endpoint.disabled' && a.data.endpoint_id === endpointId)).toBe(true),
    );
    // Enabling again starts afresh and says so.
    await gqlData(hookpost, `mutation($id: ID!) { enableEndpoint(id: $id) { id } }`, { id: endpointId });
    const enabled = await endpointState(endpointId);
    expect(enabled).toMatchObject({ enabled: true, disabledReason: null, circuit: { circuitState: 'closed' } });
    await waitFor(() =>
      expect(alerts().some((a) => a.type === 'endpoint.enabled' && a.data.endpoint_id === endpointId)).toBe(true),
    );
  });

  test('deliveries claimed together are not sent once the first answer disabled their endpoint', async () => {
    const receiver = await receiverWith(410);
    const { mailbox, endpointId } = await setUp(receiver);
    // Held while paused, then released together: one job claims all thirty at once.
    await gqlData(hookpost, `mutation($id: ID!) { pauseEndpoint(id: $id) { pausedAt } }`, { id: endpointId });
    await send(mailbox, 30);
    await waitFor(async () => expect((await endpointState(endpointId)).circuit.heldCount).toBe(30));
    await gqlData(hookpost, `mutation($id: ID!) { resumeEndpoint(id: $id) { pausedAt } }`, { id: endpointId });
    await waitFor(async () => {
      const state = await endpointState(endpointId);
      expect(state.enabled).toBe(false);
      expect(statuses(state).filter((s) => !['failed', 'cancelled'].includes(s))).toEqual([]);
    });
    // Only what was already in flight when the first 410 came back: the endpoint's share
    // of the worker's request slots (2 of 8 here), never the other 28.
    const sent = receiver.requests.length;
    expect(sent).toBeGreaterThanOrEqual(1);
    expect(sent).toBeLessThanOrEqual(2);
    const final = statuses(await endpointState(endpointId));
    expect(final.filter((s) => s === 'failed')).toHaveLength(sent);
    expect(final.filter((s) => s === 'cancelled')).toHaveLength(30 - sent);
    // Nothing was recorded as attempted that was not sent.
    const { deliveries } = await endpointState(endpointId);
    const attempted: number[] = deliveries.edges.map(
      (edge: { node: { attempts: { totalCount: number } } }) => edge.node.attempts.totalCount,
    );
    expect(attempted.reduce((sum, n) => sum + n, 0)).toBe(sent);
  });

  test('429 with Retry-After slows the whole endpoint: nothing is sent before the time it asked for', async () => {
    const receiver = await receiverWith(200);
    let throttledAt = 0;
    receiver.reply(() => {
      if (!throttledAt) {
        throttledAt = Date.now();
        return { status: 429, headers: { 'retry-after': '2' } };
      }
      return { status: 200 };
    });
    const { mailbox, endpointId } = await setUp(receiver, { retry_policy: { schedule: [100, 100, 100] } });
    await send(mailbox, 1);
    let until = 0;
    await waitFor(async () => {
      until = Date.parse((await endpointState(endpointId)).circuit.throttledUntil);
      expect(until).toBeGreaterThan(0);
    });
    expect(until - throttledAt).toBeGreaterThanOrEqual(1_900);
    await send(mailbox, 4);
    await waitFor(async () => expect(statuses(await endpointState(endpointId))).toEqual(Array(5).fill('delivered')));
    // Every later request, the retry of the first one included, waited for the time asked.
    const after = receiver.requests.slice(1).map((request) => request.at);
    expect(after).toHaveLength(5);
    expect(Math.min(...after)).toBeGreaterThanOrEqual(until - 50);
  });
});

describe('pause, resume and limits', () => {
  test('a paused endpoint holds its deliveries; resumed, it gets them all in arrival order', async () => {
    const receiver = await receiverWith(200);
    const { mailbox, endpointId } = await setUp(receiver);
    const paused = await gqlData(hookpost, `mutation($id: ID!) { pauseEndpoint(id: $id) { pausedAt } }`, {
      id: endpointId,
    });
    expect(paused.pauseEndpoint.pausedAt).toBeTruthy();
    const sent = await send(mailbox, 5);
    await waitFor(async () => expect(statuses(await endpointState(endpointId))).toEqual(Array(5).fill('held')));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.requests).toHaveLength(0);
    await gqlData(hookpost, `mutation($id: ID!) { resumeEndpoint(id: $id) { pausedAt } }`, { id: endpointId });
    await waitFor(async () => expect(statuses(await endpointState(endpointId))).toEqual(Array(5).fill('delivered')));
    // Released oldest first: the requests started in arrival order. (Two go at once, the
    // endpoint's share here, so they may reach the receiver in either order; strict order
    // per key is what ordering keys are for.)
    const { rows } = await db.pool.query<{ tracking_number: string }>(
      `select e.id as tracking_number from attempt a join delivery d on d.id = a.delivery_id join event e on e.id = d.event_id
        where d.endpoint_id = $1 order by a.started_at, e.id`,
      [endpointId],
    );
    expect(rows.map((row) => row.tracking_number)).toEqual(sent);
  });

  test('a rate limit spreads a burst: nothing dropped, at most about R a second', async () => {
    const receiver = await receiverWith(200);
    const { mailbox, endpointId } = await setUp(receiver);
    await gqlData(hookpost, `mutation($id: ID!) { updateEndpoint(id: $id, input: { rateLimitPerSecond: 5 }) { id } }`, {
      id: endpointId,
    });
    await send(mailbox, 15);
    await waitFor(
      async () => expect(statuses(await endpointState(endpointId))).toEqual(Array(15).fill('delivered')),
      30_000,
    );
    const times = receiver.requests.map((request) => request.at).sort((a, b) => a - b);
    const busiestSecond = Math.max(...times.map((t) => times.filter((u) => u >= t && u < t + 1_000).length));
    expect(busiestSecond).toBeLessThanOrEqual(5);
    expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(2_000);
  });
});

describe('re-enabling', () => {
  test('an endpoint enabled again with replayMissed gets the events it missed while disabled, those its filter accepts, once', async () => {
    const receiver = await receiverWith(200);
    const { mailbox, endpointId } = await setUp(receiver, { event_types: ['order.*'] });
    await send(mailbox, 1);
    await waitFor(() => expect(receiver.requests).toHaveLength(1));
    await gqlData(hookpost, `mutation($id: ID!) { disableEndpoint(id: $id) { id } }`, { id: endpointId });
    const missed = await send(mailbox, 3);
    const other = await sendEvent(hookpost, mailbox, { event: 'user.created' }, { 'x-event-type': 'user.created' });
    expect(other.status).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.requests).toHaveLength(1);
    const enabled = await hookpost.api(`/api/endpoints/${endpointId}/enable`, {
      method: 'POST',
      json: { replay_missed: true },
    });
    expect(enabled.status).toBe(200);
    await waitFor(() => expect(receiver.requests).toHaveLength(4));
    const got = receiver.requests.slice(1).map((request) => JSON.parse(request.body.toString()).data.i);
    // Each once (two go at once, the endpoint's share here, so they may arrive in either order).
    expect([...got].sort()).toEqual([0, 1, 2]);
    for (const trackingNumber of missed) {
      const event = await (await hookpost.api(`/api/webhooks/${trackingNumber}`)).json();
      expect(event.status).toBe('delivered');
      expect(event.deliveries[0].attempts[0].trigger).toBe('replay');
    }
    // Enabling again (already enabled) replays nothing more.
    await hookpost.api(`/api/endpoints/${endpointId}/enable`, { method: 'POST', json: { replay_missed: true } });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(receiver.requests).toHaveLength(4);
  });
});

describe('dead letters and bulk replay', () => {
  test('failed deliveries are listed by filter, replayed once each, and a second replay doubles nothing', async () => {
    const receiver = await receiverWith(503);
    const { mailbox, endpointId } = await setUp(receiver);
    // A threshold the failures do not reach: this test is about dead letters, not the breaker.
    await gqlData(
      hookpost,
      `mutation($id: ID!) { updateEndpoint(id: $id, input: { healthPolicy: { failureThreshold: 1000, minAttempts: 100000 } }) { id } }`,
      { id: endpointId },
    );
    await send(mailbox, 30);
    await waitFor(async () => expect(statuses(await endpointState(endpointId))).toEqual(Array(30).fill('failed')));

    const filter = { endpointId, statusCodes: [503] };
    const listed = await gqlData(
      hookpost,
      `query($filter: DeadLetterFilter) { deadLetters(first: 100, filter: $filter) { edges { node { id status lastStatusCode } } } replayPreview(filter: $filter) }`,
      { filter },
    );
    expect(listed.deadLetters.edges).toHaveLength(30);
    expect(listed.replayPreview).toBe(30);
    expect(
      (
        await gqlData(hookpost, `query($f: DeadLetterFilter) { replayPreview(filter: $f) }`, {
          f: { ...filter, statusCodes: [500] },
        })
      ).replayPreview,
    ).toBe(0);

    receiver.reply({ status: 200 });
    const started = await gqlData(
      hookpost,
      `mutation($filter: DeadLetterFilter) { startReplay(filter: $filter) { id status total } }`,
      { filter },
    );
    expect(started.startReplay).toMatchObject({ status: 'running', total: 30 });
    // Started again at once: only what is still failed is taken, so nothing is sent twice.
    const again = await gqlData(
      hookpost,
      `mutation($filter: DeadLetterFilter) { startReplay(filter: $filter) { id } }`,
      {
        filter,
      },
    );
    const replay = (id: string) =>
      gqlData(hookpost, `query($id: ID!) { replay(id: $id) { status total processed requeued } }`, { id });
    await waitFor(async () => expect((await replay(started.startReplay.id)).replay.status).toBe('finished'));
    await waitFor(async () => expect((await replay(again.startReplay.id)).replay.status).toBe('finished'));
    const first = (await replay(started.startReplay.id)).replay;
    const second = (await replay(again.startReplay.id)).replay;
    expect(first.requeued + second.requeued).toBe(30);
    await waitFor(async () => expect(statuses(await endpointState(endpointId))).toEqual(Array(30).fill('delivered')));
    const state = await endpointState(endpointId);
    expect(state.deliveries.edges.map((edge: { node: { attemptCount: number } }) => edge.node.attemptCount)).toEqual(
      Array(30).fill(2),
    );
    expect(new Set(receiver.requests.map((r) => r.headers['webhook-id'])).size).toBe(30);
    expect(receiver.requests.filter((r) => r.at > 0)).toHaveLength(60);
    expect(
      (await gqlData(hookpost, `query($f: DeadLetterFilter) { replayPreview(filter: $f) }`, { f: filter }))
        .replayPreview,
    ).toBe(0);
    await waitFor(() =>
      expect(alerts().some((a) => a.type === 'replay.finished' && a.data.replay_id === started.startReplay.id)).toBe(
        true,
      ),
    );
  });

  test('bad filters are refused and start nothing; viewers cannot replay', async () => {
    const bad = await gql(hookpost, `mutation { startReplay(filter: { statusCodes: [99] }) { id } }`);
    expect(bad.errors?.[0]?.extensions?.code).toBe('validation_failed');
    // What failed after now cannot be replayed now: refused, not widened to everything.
    const future = await hookpost.api('/api/replays', {
      method: 'POST',
      json: { failed_since: '2999-01-01T00:00:00Z' },
    });
    expect(future.status).toBe(422);
    expect((await future.json()).error.code).toBe('validation_failed');
    // A misspelt field is refused, not ignored (ignored, it would replay every dead letter).
    for (const path of ['/api/replays/preview', '/api/replays']) {
      const misspelt = await hookpost.api(path, { method: 'POST', json: { endpointId: randomUUID() } });
      expect(misspelt.status).toBe(422);
      const error = (await misspelt.json()).error;
      expect(error.code).toBe('validation_failed');
      expect(error.message).toMatch(/endpointId/);
    }
    // Dates PostgreSQL cannot hold are refused with a clear message, not a 500.
    for (const failed_since of ['-005000-01-01T00:00:00Z', 'yesterday']) {
      const odd = await hookpost.api('/api/replays/preview', { method: 'POST', json: { failed_since } });
      expect(odd.status).toBe(422);
      expect((await odd.json()).error.message).toMatch(/failed_since/);
    }
    const oddList = await hookpost.api('/api/dead-letters?failed_until=-005000-01-01T00:00:00Z');
    expect(oddList.status).toBe(422);
    const policy = await gql(
      hookpost,
      `mutation($id: ID!) { updateEndpoint(id: $id, input: { healthPolicy: { coolDownMs: 5000, maxCoolDownMs: 1000 } }) { id } }`,
      { id: (await gqlData(hookpost, `{ endpoints(first: 1) { edges { node { id } } } }`)).endpoints.edges[0].node.id },
    );
    expect(policy.errors?.[0]?.extensions?.code).toBe('validation_failed');
    const { replays } = await gqlData(hookpost, `{ replays { id } }`);
    const before = replays.length;
    const deleteSystem = await gqlData(hookpost, `{ systemMailbox { id } }`);
    const refused = await hookpost.api(`/api/mailboxes/${deleteSystem.systemMailbox.id}`, { method: 'DELETE' });
    expect(refused.status).toBe(409);
    expect((await gqlData(hookpost, `{ replays { id } }`)).replays).toHaveLength(before);
  });
});

describe('over REST', () => {
  test('pause, resume, health, dead letters and a replay, with the same rules as GraphQL', async () => {
    const receiver = await receiverWith(500);
    const { mailbox, endpointId } = await setUp(receiver, {
      rate_limit_per_second: 50,
      retry_policy: { preset: 'spec', max_attempts: 1 },
    });
    const paused = await hookpost.api(`/api/endpoints/${endpointId}/pause`, { method: 'POST' });
    expect(paused.status).toBe(200);
    expect((await paused.json()).paused_at).toEqual(expect.any(String));
    await send(mailbox, 2);
    await waitFor(async () => {
      const health = await (await hookpost.api(`/api/endpoints/${endpointId}/health`)).json();
      expect(health).toMatchObject({ circuit_state: 'closed', held_count: 2 });
    });
    const resumed = await hookpost.api(`/api/endpoints/${endpointId}/resume`, { method: 'POST' });
    expect((await resumed.json()).paused_at).toBeNull();
    await waitFor(async () => expect(statuses(await endpointState(endpointId))).toEqual(['failed', 'failed']));

    const health = await (await hookpost.api(`/api/endpoints/${endpointId}/health?window_minutes=10`)).json();
    expect(health.activity.errors[0]).toMatchObject({ kind: 'http_status', count: 2, last_status_code: 500 });
    expect(health.activity.buckets.reduce((sum: number, b: { failed: number }) => sum + b.failed, 0)).toBe(2);

    const letters = await hookpost.api(`/api/dead-letters?endpoint_id=${endpointId}&status_codes=500,502&limit=1`);
    expect(letters.status).toBe(200);
    expect(await letters.json()).toHaveLength(1);
    expect(letters.headers.get('x-next-cursor')).toBeTruthy();
    const bad = await hookpost.api(`/api/dead-letters?status_codes=abc`);
    expect(bad.status).toBe(422);
    expect((await bad.json()).error.code).toBe('validation_failed');

    const preview = await hookpost.api('/api/replays/preview', { method: 'POST', json: { endpoint_id: endpointId } });
    expect(await preview.json()).toEqual({ count: 2 });
    receiver.reply({ status: 200 });
    const started = await hookpost.api('/api/replays', { method: 'POST', json: { endpoint_id: endpointId } });
    expect(started.status).toBe(202);
    const replay = await started.json();
    expect(replay).toMatchObject({ status: 'running', total: 2 });
    await waitFor(async () =>
      expect(await (await hookpost.api(`/api/replays/${replay.id}`)).json()).toMatchObject({
        status: 'finished',
        processed: 2,
        requeued: 2,
      }),
    );
    await waitFor(async () => expect(statuses(await endpointState(endpointId))).toEqual(['delivered', 'delivered']));
    const cancelled = await hookpost.api(`/api/replays/${replay.id}/cancel`, { method: 'POST' });
    expect((await cancelled.json()).status).toBe('finished');
  });
});
