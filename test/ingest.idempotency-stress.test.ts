/**
 * Idempotency keys under a storm: overlapping keys (new, repeated, expired), in random
 * order, at two api processes at once, beside unkeyed events. No deadlock, no 5xx, one
 * event per key.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { createMailbox, startTestHookpost, type CreatedMailbox, type TestHookpost } from './support/hookpost.ts';
import { spawnHookpost, type HookpostProcess } from './support/process.ts';

let db: TestDatabase;
let api: TestHookpost;
let second: HookpostProcess;
let secondUrl: string;
let mailboxes: CreatedMailbox[];

beforeAll(async () => {
  db = await createTestDatabase();
  api = await startTestHookpost(db.url, { role: 'api' });
  second = await spawnHookpost({ databaseUrl: db.url, role: 'api' });
  secondUrl = ((await second.waitForLog(/is listening on/, 60_000)) as { url?: string }).url!;
  mailboxes = [
    await createMailbox(api, { name: 'A', target_url: 'http://127.0.0.1:9/a' }),
    await createMailbox(api, { name: 'B', target_url: 'http://127.0.0.1:9/b' }),
  ];
}, 90_000);

afterAll(async () => {
  if (second) {
    second.kill('SIGTERM');
    await second.exited;
  }
  await api?.stop();
  await db?.drop();
});

const shuffle = <T>(items: T[]) => {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
};

test('overlapping keys at two processes: one event per key, every copy answered with it', async () => {
  const post = (url: string, mailbox: CreatedMailbox, key: string | undefined, body: string) =>
    fetch(`${url}/webhooks/${mailbox.id}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': mailbox.api_key,
        ...(key !== undefined && { 'idempotency-key': key }),
      },
      body,
    });
  // Some keys are taken already, some of them by events outside the window.
  for (const mailbox of mailboxes) {
    for (let k = 0; k < 10; k++) {
      const r = await post(api.baseUrl, mailbox, `k${k}`, JSON.stringify({ event: 'x', k }));
      expect(r.status).toBe(202);
    }
  }
  await db.pool.query(
    `update event set received_at = now() - interval '25 hours' where idempotency_key in ('k0','k1','k2','k3','k4')`,
  );
  for (let round = 0; round < 3; round++) {
    const requests = shuffle([
      ...mailboxes.flatMap((mailbox) =>
        Array.from({ length: 160 }, (_, i) => ({
          mailbox,
          key: `k${i % 40}`,
          body: JSON.stringify({ event: 'x', k: i % 40 }),
        })),
      ),
      ...Array.from({ length: 80 }, (_, i) => ({
        mailbox: mailboxes[i % 2]!,
        key: undefined,
        body: JSON.stringify({ event: 'y', round, i }),
      })),
    ]);
    const answers = await Promise.all(
      requests.map(async (r, i) => {
        const response = await post(i % 2 ? secondUrl : api.baseUrl, r.mailbox, r.key, r.body);
        return { ...r, status: response.status, body: (await response.json()) as { tracking_number?: string } };
      }),
    );
    const statuses = new Map<number, number>();
    for (const a of answers) statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
    expect(Object.fromEntries(statuses)).toEqual({ 202: answers.length });
    const byKey = new Map<string, Set<string>>();
    for (const a of answers.filter((a) => a.key)) {
      const at = `${a.mailbox.id}/${a.key}`;
      byKey.set(at, (byKey.get(at) ?? new Set()).add(a.body.tracking_number!));
    }
    expect([...byKey.values()].filter((s) => s.size !== 1)).toEqual([]);
  }
  const { rows } = await db.pool.query<{ n: number }>(
    `select count(*)::int as n from event where idempotency_key is not null group by mailbox_id, idempotency_key having count(*) > 1`,
  );
  expect(rows).toEqual([]);
  // 40 keys per mailbox live; 5 of the first 10 were expired and taken over once.
  expect(await db.count('event', 'idempotency_key is not null')).toBe(80);
  expect(await db.count('event', 'idempotency_key is null')).toBe(240 + 10);
  const deadlocks = second.logs.filter((l) => JSON.stringify(l).includes('deadlock'));
  expect(deadlocks).toEqual([]);
}, 120_000);
