/**
 * Shutdown happens in order: stop taking jobs, let in-flight deliveries finish (bounded
 * by HOOKPOST_SHUTDOWN_TIMEOUT_MS), close HTTP, close the pools. A delivery cut off by
 * the bound is not lost: its job runs again later.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { createMailbox, sendEvent, startTestHookpost } from './support/hookpost.ts';
import { spawnHookpost } from './support/process.ts';
import { startReceiver, type Receiver } from './support/receiver.ts';

let db: TestDatabase;
let receiver: Receiver;

beforeAll(async () => {
  db = await createTestDatabase();
  receiver = await startReceiver();
});

afterAll(async () => {
  await receiver?.close();
  await db?.drop();
});

describe('graceful shutdown', () => {
  test('an in-flight delivery finishes and is recorded before the process stops', async () => {
    const hookpost = await startTestHookpost(db.url);
    const mailbox = await createMailbox(hookpost, { name: 'Drain', target_url: `${receiver.url}/slow` });
    receiver.reply({ status: 200, delayMs: 1_000 });
    const before = receiver.requests.length;
    const { tracking_number } = await (await sendEvent(hookpost, mailbox, { event: 'x' })).json();
    await receiver.waitForRequests(before + 1);
    await hookpost.stop();
    const { rows } = await db.pool.query('select status from delivery where event_id = $1', [tracking_number]);
    expect(rows).toEqual([{ status: 'delivered' }]);
    expect(
      await db.count('attempt', `delivery_id in (select id from delivery where event_id = '${tracking_number}')`),
    ).toBe(1);
  });

  test('a delivery that outlasts the bound is aborted, recorded as such, and keeps a future', async () => {
    const hookpost = await startTestHookpost(db.url, { shutdownTimeoutMs: 500 });
    const mailbox = await createMailbox(hookpost, { name: 'Bounded', target_url: `${receiver.url}/hang` });
    receiver.reply({ hang: true });
    const before = receiver.requests.length;
    const { tracking_number } = await (await sendEvent(hookpost, mailbox, { event: 'x' })).json();
    await receiver.waitForRequests(before + 1);
    const started = Date.now();
    await hookpost.stop();
    expect(Date.now() - started).toBeLessThan(5_000);
    // The request that went out is on record, and the delivery waits for another worker.
    const { rows: attempts } = await db.pool.query(
      `select a.number, a.error_kind from attempt a join delivery d on d.id = a.delivery_id where d.event_id = $1`,
      [tracking_number],
    );
    expect(attempts).toEqual([{ number: 1, error_kind: 'aborted' }]);
    const { rows } = await db.pool.query(
      `select d.status, d.claimed_by, j.locked_by, j.run_at <= now() as due
         from delivery d join graphile_worker._private_jobs j on j.payload::text like '%' || d.id || '%'
        where d.event_id = $1`,
      [tracking_number],
    );
    expect(rows).toEqual([{ status: 'queued', claimed_by: null, locked_by: null, due: true }]);
  });

  test('a client that stops reading does not hold shutdown past the bound', async () => {
    const hookpost = await startTestHookpost(db.url, { role: 'api', shutdownTimeoutMs: 500 });
    const { port } = new URL(hookpost.baseUrl);
    const socket = net.connect(Number(port), '127.0.0.1');
    socket.pause(); // never read the large response
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write('GET /redoc/redoc.standalone.js HTTP/1.1\r\nhost: localhost\r\n\r\n');
    await new Promise((resolve) => setTimeout(resolve, 200));
    const started = Date.now();
    await hookpost.stop();
    expect(Date.now() - started).toBeLessThan(3_000);
    socket.destroy();
  });

  test('SIGTERM to a real process stops it in the documented order and exits 0', async () => {
    const proc = await spawnHookpost({ databaseUrl: db.url, role: 'all' });
    await proc.waitForLog(/Hookpost is listening/);
    proc.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    // In the order they were logged (by their time; lines of one millisecond as written): a
    // line written just before exit can come out after later ones (its write still in
    // flight at exit), as "close the read pool" once did after "close the database pool".
    const order = proc.logs
      .map((line, i) => ({ msg: line.msg, time: Number(line.time), i }))
      .filter((line) => line.msg.startsWith('Shutdown:'))
      .sort((a, b) => a.time - b.time || a.i - b.i)
      .map((line) => line.msg);
    // Every shutdown line with its time, should the order be wrong.
    const shutdownLines = JSON.stringify(
      proc.logs
        .slice(proc.logs.findIndex((line) => /received: shutting down/.test(line.msg)))
        .map((line) => [line.time, line.msg]),
    );
    expect(order, shutdownLines).toEqual([
      'Shutdown: stop the delivery worker.',
      'Shutdown: close outbound connections.',
      'Shutdown: close the attempt pool.',
      'Shutdown: close the claim pool.',
      'Shutdown: close the queue pool.',
      'Shutdown: close HTTP.',
      'Shutdown: close the operations listener.',
      'Shutdown: close the change bus.',
      'Shutdown: close the read pool.',
      'Shutdown: disconnect Prisma.',
      'Shutdown: close the database pool.',
    ]);
    expect(proc.logs.at(-1)?.msg).toBe('Hookpost stopped.');
  });
});
