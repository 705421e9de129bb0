/**
 * Attempts are the audit trail: one row per HTTP try, with what the receiver answered or
 * why the try failed. Each kind of failure is recorded as itself.
 */
import net from 'node:net';
import { beforeAll, describe, expect, test, vi } from 'vitest';
import { useHookpost, useReceiver } from './support/hooks.ts';
import { freePort } from './support/ports.ts';
import { createMailbox, sendEvent, type CreatedMailbox } from './support/hookpost.ts';

const { hookpost } = useHookpost();
const receiver = useReceiver();
let mailbox: CreatedMailbox;

beforeAll(async () => {
  mailbox = await createMailbox(hookpost, { name: 'Audit' });
});

interface AttemptView {
  number: number;
  trigger: string;
  status_code: number | null;
  duration_ms: number;
  response_headers: Record<string, string> | null;
  response_body: string | null;
  response_body_base64: string | null;
  response_body_truncated: boolean;
  error_kind: string | null;
  error_message: string | null;
}

/** Sends one event to a fresh single-attempt endpoint at `url` and returns its one attempt. */
async function attemptAgainst(url: string, endpoint: Record<string, unknown> = {}): Promise<AttemptView> {
  const eventType = `probe.${Math.random().toString(36).slice(2)}`;
  const created = await hookpost.api(`/api/mailboxes/${mailbox.id}/endpoints`, {
    method: 'POST',
    json: { url, event_types: [eventType], retry_policy: { max_attempts: 1 }, ...endpoint },
  });
  expect(created.status).toBe(201);
  const { tracking_number } = await (await sendEvent(hookpost, mailbox, { event: eventType })).json();
  let attempt: AttemptView | undefined;
  await vi.waitFor(
    async () => {
      const event = await (await hookpost.api(`/api/webhooks/${tracking_number}`)).json();
      expect(['delivered', 'failed']).toContain(event.status);
      attempt = event.deliveries[0].attempts[0];
    },
    { timeout: 10_000, interval: 50 },
  );
  return attempt!;
}

describe('what an attempt records', () => {
  test('a 2xx: status, response headers and body, duration', async () => {
    receiver.reply({
      status: 201,
      body: '{"received":true}',
      headers: { 'x-receiver': 'yes', 'content-type': 'application/json' },
    });
    const attempt = await attemptAgainst(`${receiver.url}/ok`);
    expect(attempt).toMatchObject({
      number: 1,
      trigger: 'scheduled',
      status_code: 201,
      response_body: '{"received":true}',
      error_kind: null,
      error_message: null,
      response_body_truncated: false,
    });
    expect(attempt.response_headers).toMatchObject({ 'x-receiver': 'yes' });
    expect(attempt.duration_ms).toBeGreaterThanOrEqual(0);
  });

  test('a large binary response is kept as its first 20 KiB, bytes intact', async () => {
    const body = Buffer.alloc(64 * 1024);
    for (let i = 0; i < body.length; i++) body[i] = (i * 7) % 256;
    receiver.reply({ status: 200, body, headers: { 'content-type': 'application/octet-stream' } });
    const attempt = await attemptAgainst(`${receiver.url}/binary`);
    expect(attempt.response_body).toBeNull();
    expect(attempt.response_body_truncated).toBe(true);
    const kept = Buffer.from(attempt.response_body_base64!, 'base64');
    expect(kept).toHaveLength(20 * 1024);
    expect(kept.equals(body.subarray(0, 20 * 1024))).toBe(true);
  });

  test('a non-2xx is a failure with its status and body', async () => {
    receiver.reply({ status: 422, body: 'unprocessable' });
    const attempt = await attemptAgainst(`${receiver.url}/422`);
    expect(attempt).toMatchObject({ status_code: 422, response_body: 'unprocessable', error_kind: 'http_status' });
  });

  test('a redirect is a failure and is not followed', async () => {
    receiver.reply((request) =>
      request.path === '/moved' ? { status: 301, headers: { location: `${receiver.url}/elsewhere` } } : { status: 200 },
    );
    const before = receiver.requests.length;
    const attempt = await attemptAgainst(`${receiver.url}/moved`);
    expect(attempt).toMatchObject({ status_code: 301, error_kind: 'redirect' });
    expect(attempt.error_message).toContain('/elsewhere');
    expect(receiver.requests.slice(before).map((r) => r.path)).toEqual(['/moved']);
  });

  test('a receiver slower than the endpoint timeout is a timeout', async () => {
    receiver.reply({ status: 200, delayMs: 3_000 });
    const attempt = await attemptAgainst(`${receiver.url}/slow`, { timeout_ms: 1_000 });
    expect(attempt).toMatchObject({ status_code: null, error_kind: 'timeout' });
    expect(attempt.duration_ms).toBeGreaterThanOrEqual(950);
    expect(attempt.duration_ms).toBeLessThan(2_500);
    receiver.reply({ status: 200 });
  });

  test('a closed port is connection_refused', async () => {
    const port = await freePort();
    const attempt = await attemptAgainst(`http://127.0.0.1:${port}/nobody`);
    expect(attempt).toMatchObject({ status_code: null, error_kind: 'connection_refused' });
  });

  test('a connection closed before any response is connection_reset', async () => {
    const server = net.createServer((socket) => socket.on('data', () => socket.destroy()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    const attempt = await attemptAgainst(`http://127.0.0.1:${port}/hangup`);
    server.close();
    expect(attempt).toMatchObject({ status_code: null, error_kind: 'connection_reset' });
  });

  test('an unknown host is a dns failure', async () => {
    const attempt = await attemptAgainst('http://no-such-host.invalid/hook');
    expect(attempt).toMatchObject({ status_code: null, error_kind: 'dns' });
  });
});
