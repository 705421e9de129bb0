/**
 * Retention: a prune pass deletes settled events past their mailbox's retention with
 * their deliveries, attempts and dead letters, empties response bodies past theirs, and
 * audit entries past theirs (idempotency keys, columns of their events, go with them); it never touches an event that still
 * has a delivery on its way, nor recent ones, nor a mailbox that keeps everything; and
 * the statistics still add up afterwards. The pass is told what "now" is, so the test
 * moves time forward instead of faking old rows; the worker schedules it every minute.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { recordAudit } from '../server/audit/auditLog.ts';
import { firstIdAt } from '../server/events/trackingNumberRange.ts';
import { prunePass } from '../server/retention/prunePass.ts';
import { gqlData } from './support/graphql.ts';
import { createMailbox, sendEvent, type CreatedMailbox } from './support/hookpost.ts';
import { useHookpost, useReceiver } from './support/hooks.ts';

const DAY_MS = 24 * 3600_000;

const receiver = useReceiver();
const { db, hookpost } = useHookpost({ workerPollIntervalMs: 100 });
/** Default retention (30 days): an `order` endpoint that answers 200, an `invoice` one that fails for good, a `refund` one that retries in an hour. */
let shop: CreatedMailbox;
/** Keeps its events 60 days. */
let billing: CreatedMailbox;
/** Keeps its events forever. */
let archive: CreatedMailbox;
const old: Record<string, string[]> = { shopSettled: [], shopPending: [], billing: [], archive: [] };
const recent: string[] = [];
let middle: Date;
let windowStart: Date;

const config = () => hookpost.runtime.config;

async function send(mailbox: CreatedMailbox, event: string, headers: Record<string, string> = {}) {
  const response = await sendEvent(hookpost, mailbox, { event, data: { n: Math.random() } }, headers);
  expect(response.status).toBe(202);
  return ((await response.json()) as { tracking_number: string }).tracking_number;
}

async function addEndpoint(mailbox: CreatedMailbox, body: Record<string, unknown>) {
  const response = await hookpost.api(`/api/mailboxes/${mailbox.id}/endpoints`, { method: 'POST', json: body });
  expect(response.status).toBe(201);
}

/** Waits until no delivery is queued or delivering except those waiting for a later retry. */
async function settled() {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const busy = await db.count(
      'delivery',
      `status = 'delivering' or (status = 'queued' and (attempt_count = 0 or next_attempt_at < now() + interval '10 minutes'))`,
    );
    if (busy === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('Deliveries did not settle in time.');
}

const existing = async (ids: string[]) =>
  ids.length ? db.count('event', `id in (${ids.map((id) => `'${id}'`).join(',')})`) : 0;

beforeAll(async () => {
  receiver.reply((request) =>
    request.path === '/invoice'
      ? { status: 500, body: 'invoice refused' }
      : request.path === '/refund'
        ? { status: 503, body: 'later' }
        : { status: 200, body: 'thanks' },
  );
  windowStart = new Date(Date.now() - 60_000);
  shop = await createMailbox(hookpost, { name: 'Shop', target_url: `${receiver.url}/order`, event_types: ['order.*'] });
  await addEndpoint(shop, {
    url: `${receiver.url}/invoice`,
    event_types: ['invoice.*'],
    retry_policy: { max_attempts: 1 },
  });
  await addEndpoint(shop, {
    url: `${receiver.url}/refund`,
    event_types: ['refund.*'],
    retry_policy: { max_attempts: 3, base_delay_ms: 3_600_000 },
  });
  billing = await createMailbox(hookpost, { name: 'Billing', target_url: `${receiver.url}/order`, retention_days: 60 });
  archive = await createMailbox(hookpost, { name: 'Archive', target_url: `${receiver.url}/order` });
  await gqlData(hookpost, `mutation($id: ID!) { updateMailbox(id: $id, retentionDays: 0) { id } }`, { id: archive.id });
  await recordAudit(db.pool, null, { action: 'mailbox.create', target: { type: 'mailbox', id: shop.id } });

  for (let i = 0; i < 3; i++) old.shopSettled!.push(await send(shop, 'order.created', { 'idempotency-key': `o-${i}` }));
  for (let i = 0; i < 2; i++) old.shopSettled!.push(await send(shop, 'invoice.failed'));
  old.shopSettled!.push(await send(shop, 'other.unrouted'));
  old.shopPending!.push(await send(shop, 'refund.pending'));
  for (let i = 0; i < 2; i++) old.billing!.push(await send(billing, 'order.created'));
  for (let i = 0; i < 2; i++) old.archive!.push(await send(archive, 'order.created'));
  await settled();

  await new Promise((resolve) => setTimeout(resolve, 5));
  middle = new Date();
  await new Promise((resolve) => setTimeout(resolve, 5));

  for (let i = 0; i < 2; i++) recent.push(await send(shop, 'order.created'));
  recent.push(await send(shop, 'invoice.failed'));
  await recordAudit(db.pool, null, { action: 'mailbox.update', target: { type: 'mailbox', id: shop.id } });
  await settled();
}, 90_000);

describe('retention', () => {
  test('the mailboxes say how long they keep events', async () => {
    const read = async (id: string) =>
      ((await (await hookpost.api(`/api/mailboxes/${id}`)).json()) as { retention_days: number | null }).retention_days;
    expect([await read(shop.id), await read(billing.id), await read(archive.id)]).toEqual([null, 60, 0]);
    const refused = await hookpost.api(`/api/mailboxes/${shop.id}`, { method: 'PATCH', json: { retention_days: -1 } });
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('validation_failed');
    expect(await read(shop.id)).toBeNull();
  });

  test('after 7 days, response bodies of older attempts are emptied', async () => {
    const oldAttempts = `delivery_id in (select id from delivery where event_id < '${firstIdAt(middle)}')`;
    const newAttempts = `delivery_id in (select id from delivery where event_id >= '${firstIdAt(middle)}')`;
    expect(await db.count('attempt', `${oldAttempts} and response_body is not null`)).toBeGreaterThan(0);

    const pruned = await prunePass(
      { pool: db.pool, config: config() },
      { now: new Date(middle.getTime() + 7 * DAY_MS) },
    );
    expect(pruned).toMatchObject({ events: 0, auditEntries: 0, finished: true });
    expect(pruned.responseBodies).toBeGreaterThan(0);
    expect(await db.count('attempt', `${oldAttempts} and response_body is not null`)).toBe(0);
    expect(await db.count('attempt', `${newAttempts} and response_body is null`)).toBe(0);
    // The attempt stays with its event; only its body is gone.
    const event = (await (await hookpost.api(`/api/webhooks/${old.shopSettled![0]}`)).json()) as {
      deliveries: { attempts: { status_code: number; response_body: string | null }[] }[];
    };
    expect(event.deliveries[0]!.attempts[0]).toMatchObject({ status_code: 200, response_body: null });
  });

  test('after 30 days, settled events of default mailboxes go with their deliveries, attempts and dead letters', async () => {
    const oldShopDeliveries = `event_id in (${old.shopSettled!.map((id) => `'${id}'`).join(',')})`;
    expect(await db.count('dead_letter', `delivery_id in (select id from delivery where ${oldShopDeliveries})`)).toBe(
      2,
    );
    // Their search terms (a table of their own, without a foreign key) go with them.
    expect(await db.count('event_search', oldShopDeliveries)).toBe(old.shopSettled!.length);
    // Their idempotency keys are columns of theirs.
    expect(await db.count('event', `mailbox_id = '${shop.id}' and idempotency_key is not null`)).toBe(3);

    // Hookpost's own alerts (delivery.exhausted of the failures above) are settled events
    // of the system mailbox, past their retention as well.
    const cutoff = new Date(middle.getTime() + 30 * DAY_MS - 30 * DAY_MS);
    const alerts = await db.count(
      'event',
      `mailbox_id in (select id from mailbox where system) and received_at < '${cutoff.toISOString()}'`,
    );
    const pruned = await prunePass(
      { pool: db.pool, config: config() },
      { now: new Date(middle.getTime() + 30 * DAY_MS), batchSize: 2 },
    );
    expect(pruned.events).toBe(old.shopSettled!.length + alerts);
    expect(await existing(old.shopSettled!)).toBe(0);
    expect(await db.count('delivery', oldShopDeliveries)).toBe(0);
    expect(await db.count('attempt', `delivery_id in (select id from delivery where ${oldShopDeliveries})`)).toBe(0);
    expect(await db.count('event_search', oldShopDeliveries)).toBe(0);
    expect(await db.count('event_search', 'event_id not in (select id from event)')).toBe(0);
    expect(await db.count('event', `mailbox_id = '${shop.id}' and idempotency_key is not null`)).toBe(0);
    expect(await db.count('dead_letter', `mailbox_id = '${shop.id}'`)).toBe(1);
    // Not yet settled, longer retention, kept forever, recent: all still there.
    expect(await existing(old.shopPending!)).toBe(1);
    expect(await existing(old.billing!)).toBe(2);
    expect(await existing(old.archive!)).toBe(2);
    expect(await existing(recent)).toBe(3);
    expect((await hookpost.api(`/api/webhooks/${old.shopSettled![0]}`)).status).toBe(404);
  });

  test('statistics still add up after pruning', async () => {
    const { stats } = await gqlData(
      hookpost,
      `query($m: ID, $from: DateTime) { stats(mailboxId: $m, from: $from) {
         events { status count } deliveries { status count } attemptsPerMinute { attempts failed }
         endpoints { failedDeliveries } } }`,
      { m: shop.id, from: windowStart.toISOString() },
    );
    const sum = (rows: { count: number }[]) => rows.reduce((total, row) => total + row.count, 0);
    expect(sum(stats.events)).toBe(await db.count('event', `mailbox_id = '${shop.id}'`));
    expect(sum(stats.events)).toBe(old.shopPending!.length + recent.length);
    expect(sum(stats.deliveries)).toBe(
      await db.count('delivery', `event_id in (select id from event where mailbox_id = '${shop.id}')`),
    );
    const failed = stats.deliveries.find((row: { status: string }) => row.status === 'failed').count;
    expect(failed).toBe(await db.count('dead_letter', `mailbox_id = '${shop.id}'`));
    expect(
      stats.endpoints.reduce((total: number, e: { failedDeliveries: number }) => total + e.failedDeliveries, 0),
    ).toBe(failed);
    const attempts = stats.attemptsPerMinute.reduce((total: number, m: { attempts: number }) => total + m.attempts, 0);
    expect(attempts).toBe(
      await db.count(
        'attempt',
        `delivery_id in (select d.id from delivery d join event e on e.id = d.event_id where e.mailbox_id = '${shop.id}')`,
      ),
    );
  });

  test("after 60 days the longer-kept mailbox's events go too; a mailbox set to 0 keeps everything", async () => {
    await prunePass({ pool: db.pool, config: config() }, { now: new Date(middle.getTime() + 61 * DAY_MS) });
    expect(await existing(old.billing!)).toBe(0);
    expect(await existing(old.archive!)).toBe(2);
    expect(await existing(old.shopPending!)).toBe(1);
  });

  test('audit entries go after their own retention', async () => {
    const before = await db.count('audit_entry');
    expect(before).toBeGreaterThanOrEqual(2);
    const pruned = await prunePass(
      { pool: db.pool, config: config() },
      { now: new Date(middle.getTime() + config().auditRetentionDays * DAY_MS) },
    );
    expect(pruned.auditEntries).toBe(before - (await db.count('audit_entry')));
    expect(await db.count('audit_entry', `at < '${middle.toISOString()}'`)).toBe(0);
    expect(await db.count('audit_entry', `at >= '${middle.toISOString()}'`)).toBeGreaterThanOrEqual(1);
  });

  test('ended bulk erasures go with the audit log (their filters name data subjects); running ones stay', async () => {
    const mailbox = await createMailbox(hookpost, { name: 'Erased', target_url: `${receiver.url}/erased` });
    const ended = new Date(middle.getTime() - DAY_MS);
    for (const [id, status, finishedAt] of [
      ['0190a5b0-0000-7000-8000-0000000000e1', 'finished', ended],
      ['0190a5b0-0000-7000-8000-0000000000e2', 'cancelled', ended],
      ['0190a5b0-0000-7000-8000-0000000000e3', 'running', null],
      ['0190a5b0-0000-7000-8000-0000000000e4', 'finished', new Date(middle.getTime() + DAY_MS)],
    ] as const)
      await db.pool.query(
        `insert into erasure (id, mailbox_id, filter, status, matched, created_by, created_at, finished_at)
         values ($1, $2, '{"payload":[{"path":"data.email","equals":"a@b.c"}]}', $3, 1, 'test', $4, $5)`,
        [id, mailbox.id, status, new Date(ended.getTime() - 1000), finishedAt],
      );
    const pruned = await prunePass(
      { pool: db.pool, config: config() },
      { now: new Date(middle.getTime() + config().auditRetentionDays * DAY_MS) },
    );
    expect(pruned.erasures).toBe(2);
    const { rows } = await db.pool.query<{ id: string }>(`select id from erasure order by id`);
    expect(rows.map((row) => row.id.slice(-2))).toEqual(['e3', 'e4']);
  });

  test('a manual retry racing the pass either keeps the event (retried) or finds it gone, never both', async () => {
    const racing = await createMailbox(hookpost, { name: 'Racing', target_url: `${receiver.url}/invoice` });
    const patched = await hookpost.api(`/api/endpoints/${racing.endpoint_id}`, {
      method: 'PATCH',
      json: { retry_policy: { max_attempts: 1 } },
    });
    expect(patched.status).toBe(200);
    const racingEvents: string[] = [];
    for (let i = 0; i < 4; i++) racingEvents.push(await send(racing, 'invoice.failed'));
    await settled();
    const failedNow = await db.count(
      'delivery',
      `status = 'failed' and event_id in (${racingEvents.map((id) => `'${id}'`).join(',')})`,
    );
    const [pruned, ...retries] = await Promise.all([
      prunePass({ pool: db.pool, config: config() }, { now: new Date(Date.now() + 31 * DAY_MS), pauseMs: 0 }),
      ...racingEvents.map((id) => hookpost.api(`/api/webhooks/${id}/retry`, { method: 'POST' })),
    ]);
    expect(pruned.events).toBeGreaterThanOrEqual(0);
    for (const [i, id] of racingEvents.entries()) {
      const kept = (await existing([id])) === 1;
      const status = retries[i]!.status;
      expect([202, 404, 409]).toContain(status);
      if (status === 202) expect(kept).toBe(true);
      if (!kept) expect(status).toBe(404);
    }
    expect(failedNow).toBeGreaterThan(0);
    // Every event left still has its deliveries and consistent counters.
    const { rows } = await db.pool.query(
      `select e.id from event e where e.pending_count <> (select count(*) from delivery d where d.event_id = e.id and d.status in ('queued', 'held', 'delivering'))`,
    );
    expect(rows).toEqual([]);
  });

  test('the worker has the pass scheduled every minute', async () => {
    expect(await db.count('graphile_worker._private_known_crontabs', `identifier = 'prune'`)).toBe(1);
  });
});
