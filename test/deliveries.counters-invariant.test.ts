/**
 * The lifecycle's invariant, property-based against a real PostgreSQL: after any
 * sequence of the operations that change deliveries (ingest, claims by live and dead
 * workers, attempts recorded by claim holders and by workers that lost their claim,
 * cancellations, an operator's cancel of one delivery, requeues, holds and releases; the
 * first endpoint is ordered by key, so claims leave deliveries behind their line and
 * moves wake the next), every event's counters equal what its deliveries say, its
 * attempt count equals its attempt rows, and its status is the one the counters define.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startChangeBus, type ChangeBus } from '../server/db/changeBus.ts';
import { withTransaction } from '../server/db/pool.ts';
import { cancelWaitingDeliveries, cancelWaitingDelivery } from '../server/deliveries/cancel.ts';
import { claimDeliveries } from '../server/deliveries/claim.ts';
import { holdDeliveries, releaseHeld } from '../server/deliveries/hold.ts';
import { recordAttempts, type AttemptDecision } from '../server/deliveries/recordAttempts.ts';
import { requeueDeliveries } from '../server/deliveries/requeue.ts';
import { newId } from '../server/ids.ts';
import { insertEvents } from '../server/ingest/sql/insertEvents.ts';
import { createLogger } from '../server/logger.ts';
import { useTestDatabase } from './support/hooks.ts';

const db = useTestDatabase();
let changes: ChangeBus;
const mailboxId = newId();
const endpointIds = [newId(), newId(), newId()];
const workers = ['pool-a', 'pool-b'];

beforeAll(async () => {
  changes = await startChangeBus({ pool: db.pool, logger: createLogger({ level: 'silent', pretty: false }) });
  await db.pool.query(`insert into mailbox (id, name) values ($1, 'Invariant')`, [mailboxId]);
  for (const id of endpointIds) {
    await db.pool.query(
      `insert into endpoint (id, mailbox_id, url, retry_policy, ordered_by_key)
       values ($1, $2, 'http://127.0.0.1:9/hook', '{}', $3)`,
      [id, mailboxId, id === endpointIds[0]],
    );
  }
});

afterAll(async () => {
  await changes?.close();
});

type Operation =
  | { kind: 'ingest'; events: number[][]; key?: 'a' | 'b' }
  | { kind: 'claim'; worker: number; picks: number[] }
  | { kind: 'record'; worker: number; picks: number[]; decision: AttemptDecision['status'] }
  | { kind: 'attempt'; worker: number; picks: number[]; decision: AttemptDecision['status'] }
  | { kind: 'kill'; worker: number }
  | { kind: 'revive'; worker: number }
  | { kind: 'toggleEndpoint'; endpoint: number }
  | { kind: 'cancel'; endpoint: number }
  | { kind: 'cancelOne'; delivery: number }
  | { kind: 'requeue'; event: number; delivery: number | null }
  | { kind: 'hold'; picks: number[] }
  | { kind: 'release'; endpoint: number };

const index = fc.nat({ max: 1000 });
const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({
    kind: fc.constant('ingest' as const),
    // Each event: the endpoints it goes to (an empty list is an unrouted event).
    events: fc.array(fc.uniqueArray(fc.nat({ max: 2 }), { maxLength: 3 }), { minLength: 1, maxLength: 4 }),
    // Their ordering key at the first endpoint (ordered by key), or none.
    key: fc.option(fc.constantFrom('a' as const, 'b' as const), { nil: undefined }),
  }),
  fc.record({
    kind: fc.constant('claim' as const),
    worker: fc.nat({ max: 1 }),
    picks: fc.array(index, { maxLength: 6 }),
  }),
  fc.record({
    kind: fc.constant('record' as const),
    worker: fc.nat({ max: 1 }),
    picks: fc.array(index, { maxLength: 6 }),
    decision: fc.constantFrom('delivered', 'failed', 'queued'),
  }),
  // The worker's own flow: claim, then record what it claimed.
  fc.record({
    kind: fc.constant('attempt' as const),
    worker: fc.nat({ max: 1 }),
    picks: fc.array(index, { minLength: 1, maxLength: 6 }),
    decision: fc.constantFrom('delivered', 'failed', 'queued'),
  }),
  fc.record({ kind: fc.constant('kill' as const), worker: fc.nat({ max: 1 }) }),
  fc.record({ kind: fc.constant('revive' as const), worker: fc.nat({ max: 1 }) }),
  fc.record({ kind: fc.constant('toggleEndpoint' as const), endpoint: fc.nat({ max: 2 }) }),
  fc.record({ kind: fc.constant('cancel' as const), endpoint: fc.nat({ max: 2 }) }),
  fc.record({ kind: fc.constant('cancelOne' as const), delivery: index }),
  fc.record({ kind: fc.constant('requeue' as const), event: index, delivery: fc.option(index) }),
  fc.record({ kind: fc.constant('hold' as const), picks: fc.array(index, { maxLength: 6 }) }),
  fc.record({ kind: fc.constant('release' as const), endpoint: fc.nat({ max: 2 }) }),
);

const deliveryIds: Known[] = [];
const eventIds: string[] = [];
const pick = <T>(items: T[], at: number): T | undefined => (items.length ? items[at % items.length] : undefined);

type Known = { id: string; eventId: string; endpointId: string };

async function record(worker: number, deliveries: Known[], decision: AttemptDecision['status']): Promise<void> {
  if (deliveries.length === 0) return;
  await recordAttempts(
    { db: db.pool, changes },
    deliveries.map((d) => ({
      attemptId: newId(),
      delivery: { deliveryId: d.id, eventId: d.eventId, mailboxId, endpointId: d.endpointId },
      workerId: workers[worker]!,
      trigger: 'scheduled' as const,
      url: 'http://127.0.0.1:9/hook',
      requestHeaders: {},
      result: {
        startedAt: new Date(),
        durationMs: 1,
        statusCode: decision === 'delivered' ? 200 : 500,
        responseHeaders: {},
        responseBody: Buffer.from('ok'),
        responseBodyTruncated: false,
        errorKind: decision === 'delivered' ? null : 'http_status',
        errorMessage: null,
      },
      decision: (decision === 'queued' ? { status: 'queued', retryInMs: 0 } : { status: decision }) as AttemptDecision,
    })),
  );
}

async function run(op: Operation): Promise<void> {
  const deps = { db: db.pool, changes };
  switch (op.kind) {
    case 'ingest': {
      const events = op.events.map((endpoints) => {
        const id = newId();
        eventIds.push(id);
        const deliveries = endpoints.map((e) => ({
          id: newId(),
          endpointId: endpointIds[e]!,
          orderingKey: e === 0 ? (op.key ?? null) : null,
        }));
        for (const d of deliveries) deliveryIds.push({ ...d, eventId: id });
        return {
          id,
          mailboxId,
          eventType: 'order.created',
          contentType: 'application/json',
          body: Buffer.from('{}'),
          deliveries,
          trigger: 'scheduled' as const,
          ...(op.key ? { orderingKey: op.key } : {}),
        };
      });
      await insertEvents(db.pool, events);
      return;
    }
    case 'claim': {
      const ids = [...new Set(op.picks.map((at) => pick(deliveryIds, at)?.id).filter((id) => id !== undefined))];
      await claimDeliveries(deps, workers[op.worker]!, ids);
      return;
    }
    case 'attempt': {
      const ids = [...new Set(op.picks.map((at) => pick(deliveryIds, at)?.id).filter((id) => id !== undefined))];
      const { claimed } = await claimDeliveries(deps, workers[op.worker]!, ids);
      const byId = new Map(deliveryIds.map((d) => [d.id, d]));
      await record(
        op.worker,
        claimed.map((c) => byId.get(c.id)!),
        op.decision,
      );
      return;
    }
    case 'record': {
      const picked = [...new Map(op.picks.map((at) => pick(deliveryIds, at)).flatMap((d) => (d ? [[d.id, d]] : [])))];
      await record(
        op.worker,
        picked.map(([, d]) => d),
        op.decision,
      );
      return;
    }
    case 'kill':
      await db.pool.query('delete from worker_heartbeat where worker_id = $1', [workers[op.worker]]);
      return;
    case 'revive':
      await db.pool.query(
        `insert into worker_heartbeat (worker_id, hostname, pid) values ($1, 'test', 1) on conflict do nothing`,
        [workers[op.worker]],
      );
      return;
    case 'toggleEndpoint':
      await db.pool.query('update endpoint set enabled = not enabled where id = $1', [endpointIds[op.endpoint]]);
      return;
    case 'cancel':
      await cancelWaitingDeliveries(deps, [endpointIds[op.endpoint]!]);
      return;
    case 'cancelOne': {
      const id = pick(deliveryIds, op.delivery)?.id;
      if (id) await withTransaction(db.pool, (tx) => cancelWaitingDelivery(tx, id));
      return;
    }
    case 'hold': {
      const ids = [...new Set(op.picks.map((at) => pick(deliveryIds, at)?.id).filter((id) => id !== undefined))];
      await holdDeliveries(deps, ids, 'The endpoint is paused.');
      return;
    }
    case 'release':
      await releaseHeld(deps, endpointIds[op.endpoint]!, 3);
      return;
    case 'requeue': {
      const eventId = pick(eventIds, op.event);
      if (!eventId) return;
      const mine = deliveryIds.filter((d) => d.eventId === eventId);
      const deliveryId = op.delivery === null ? undefined : pick(mine, op.delivery)?.id;
      await requeueDeliveries({ pool: db.pool, changes }, { eventId, deliveryId }, 'manual');
      return;
    }
  }
}

interface EventCheck {
  id: string;
  status: string;
  delivery_count: number;
  pending_count: number;
  failed_count: number;
  cancelled_count: number;
  attempt_count: number;
  deliveries: number;
  pending: number;
  failed: number;
  cancelled: number;
  delivery_attempts: number;
  attempt_rows: number;
}

function expectedStatus(e: EventCheck): string {
  if (e.deliveries === 0) return 'unrouted';
  if (e.pending > 0) return e.attempt_rows === 0 ? 'queued' : 'delivering';
  if (e.failed > 0) return 'failed';
  if (e.cancelled === e.deliveries) return 'cancelled';
  return 'delivered';
}

const endStates = new Set<string>();
let heldSeen = false;

/** Each run starts from an empty history, so a failing run is a counterexample on its own. */
async function reset(): Promise<void> {
  await db.pool.query(
    'truncate dead_letter, attempt, delivery, event, worker_heartbeat, endpoint_health, graphile_worker._private_jobs cascade',
  );
  await db.pool.query('update endpoint set enabled = true');
  deliveryIds.length = 0;
  eventIds.length = 0;
}

async function checkInvariant(): Promise<void> {
  // The dead letters are exactly the failed deliveries.
  const { rows: letters } = await db.pool.query<{ missing: number; extra: number }>(
    `select (select count(*) from delivery d where d.status = 'failed'
               and not exists (select 1 from dead_letter l where l.delivery_id = d.id))::int as missing,
            (select count(*) from dead_letter l join delivery d on d.id = l.delivery_id where d.status <> 'failed')::int as extra`,
  );
  expect(letters[0]).toEqual({ missing: 0, extra: 0 });
  const ended = await db.pool.query<{ status: string }>(
    `select distinct status::text from delivery where status in ('delivered', 'failed', 'cancelled')`,
  );
  for (const { status } of ended.rows) endStates.add(status);
  if ((await db.count('delivery', `status = 'held'`)) > 0) heldSeen = true;
  const { rows } = await db.pool.query<EventCheck>(`
    select e.id, e.status::text, e.delivery_count, e.pending_count, e.failed_count, e.cancelled_count, e.attempt_count,
           count(d.id)::int as deliveries,
           count(d.id) filter (where d.status in ('queued', 'held', 'delivering'))::int as pending,
           count(d.id) filter (where d.status = 'failed')::int as failed,
           count(d.id) filter (where d.status = 'cancelled')::int as cancelled,
           coalesce(sum(d.attempt_count), 0)::int as delivery_attempts,
           (select count(*) from attempt a join delivery x on x.id = a.delivery_id where x.event_id = e.id)::int as attempt_rows
      from event e left join delivery d on d.event_id = e.id
     group by e.id`);
  for (const e of rows) {
    const actual = {
      deliveries: e.delivery_count,
      pending: e.pending_count,
      failed: e.failed_count,
      cancelled: e.cancelled_count,
      attempts: e.attempt_count,
      status: e.status,
    };
    const truth = {
      deliveries: e.deliveries,
      pending: e.pending,
      failed: e.failed,
      cancelled: e.cancelled,
      attempts: e.attempt_rows,
      status: expectedStatus(e),
    };
    expect(actual, `event ${e.id}`).toEqual(truth);
    expect(e.delivery_attempts, `event ${e.id}: deliveries' attempt counts`).toBe(e.attempt_rows);
  }
}

describe('the event counters', () => {
  test('always equal what the deliveries say, whatever sequence of lifecycle operations ran', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 25 }), async (operations) => {
        await reset();
        for (const op of operations) await run(op);
        await checkInvariant();
      }),
      {
        numRuns: 100,
        // One known sequence first, so every end state and a hold are reached whatever the seed.
        examples: [
          [
            [
              { kind: 'ingest', events: [[0], [1], [2]] },
              { kind: 'revive', worker: 0 },
              { kind: 'attempt', worker: 0, picks: [0], decision: 'failed' },
              { kind: 'attempt', worker: 0, picks: [1], decision: 'delivered' },
              { kind: 'cancel', endpoint: 2 },
              { kind: 'ingest', events: [[0]] },
              { kind: 'hold', picks: [3] },
              // One line: the first claimed, the second behind it, the head cancelled by an operator.
              { kind: 'ingest', events: [[0], [0]], key: 'a' },
              { kind: 'attempt', worker: 0, picks: [4, 5], decision: 'queued' },
              { kind: 'cancelOne', delivery: 4 },
              { kind: 'attempt', worker: 0, picks: [5], decision: 'delivered' },
            ],
          ],
        ],
      },
    );
    // The runs did move deliveries through every end state.
    expect([...endStates].sort()).toEqual(['cancelled', 'delivered', 'failed']);
    expect(heldSeen).toBe(true);
  });
});
