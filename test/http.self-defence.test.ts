/**
 * The HTTP server defends itself without hurting anyone else, and every refusal can be
 * read by the client that caused it:
 * - an oversized body gets its 413 whether the client is Node's fetch, curl without
 *   `Expect: 100-continue`, or a raw socket (the body is read and dropped first);
 * - more event bodies at once than the budget gets 503 with Retry-After, before the body
 *   is held, and the same request goes through once the budget frees;
 * - slow headers and slow bodies are cut off; connections beyond the cap are refused;
 * - a body-less action with `Content-Type: application/json` and no body is fine;
 * - headers too large, refused by Node's parser before any route, get 431 in the one error shape.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, test, vi } from 'vitest';
import type { Event } from '../clients/typescript/src/types.ts';
import { spawnHookpost } from './support/process.ts';
import { eventByTracking } from './support/events.ts';
import { createMailbox, TEST_ADMIN_TOKEN, type CreatedMailbox } from './support/hookpost.ts';
import { useHookpost } from './support/hooks.ts';
import { listAll } from './support/listAll.ts';

const { db, hookpost } = useHookpost({
  role: 'api',
  maxBodyBytes: 64 * 1024,
  ingestMaxBytesInFlight: 100 * 1024,
  httpHeadersTimeoutMs: 1_000,
  httpRequestTimeoutMs: 2_000,
  httpMaxConnections: 24,
});
let mailbox: CreatedMailbox;

beforeAll(async () => {
  mailbox = await createMailbox(hookpost, { name: 'Guarded', target_url: 'http://127.0.0.1:9/hook' });
});

const address = () => new URL(hookpost.baseUrl);
const port = () => Number(address().port);
const hostname = () => address().hostname;

const ingestPath = () => `/webhooks/${mailbox.id}`;
const event = (bytes: number) => JSON.stringify({ event: 'big', pad: 'x'.repeat(Math.max(0, bytes - 30)) });

/** A raw connection that resolves with everything the server sent once it closes (or after `waitMs`). */
function rawExchange(write: (socket: net.Socket) => void, waitMs = 10_000): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect(port(), hostname());
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closed: false });
    }, waitMs);
    socket.on('data', (chunk) => (text += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closed: true });
    });
    socket.on('connect', () => write(socket));
  });
}

describe('an oversized body gets a readable 413', () => {
  // A separate process, as in production: answering and closing while the client still
  // writes is what breaks its pipe, and in one process the timing hides it.
  test('from fetch, again and again, at 1.5 MB and 5 MB', async () => {
    const api = await spawnHookpost({
      databaseUrl: db.url,
      role: 'api',
      env: { HOOKPOST_MAX_BODY_BYTES: String(1024 * 1024) },
    });
    try {
      const line = await api.waitForLog(/is listening on/);
      const url = `${(line as { url?: string }).url}${ingestPath()}`;
      for (const megabytes of [1.5, 5, 5, 5, 5, 5, 5, 5, 5]) {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'text/plain', 'x-api-key': mailbox.api_key },
          body: new Uint8Array(Buffer.alloc(megabytes * 1024 * 1024, 'a')),
        });
        expect(response.status).toBe(413);
        expect((await response.json()).error.code).toBe('payload_too_large');
      }
    } finally {
      api.kill('SIGTERM');
      await api.exited;
    }
  });

  test('from curl without Expect: 100-continue', async () => {
    const file = path.join(os.tmpdir(), `hookpost-big-${process.pid}.txt`);
    writeFileSync(file, Buffer.alloc(2 * 1024 * 1024, 'a'));
    // curl runs beside the server in this process: asynchronously, or neither could move.
    const { stdout, stderr } = await promisify(execFile)('curl', [
      '-sS',
      '--max-time',
      '20',
      '-o',
      '-',
      '-w',
      '\n%{http_code}',
      '-H',
      'Expect:',
      '-H',
      'content-type: text/plain',
      '-H',
      `x-api-key: ${mailbox.api_key}`,
      '--data-binary',
      `@${file}`,
      `${hookpost.baseUrl}${ingestPath()}`,
    ]);
    expect(stderr).toBe('');
    const [body, status] = stdout.split('\n');
    expect(status).toBe('413');
    expect(JSON.parse(body!).error.code).toBe('payload_too_large');
  });

  test('from a raw socket that streams a chunked body past the limit', async () => {
    const { text } = await rawExchange((socket) => {
      socket.write(
        `POST ${ingestPath()} HTTP/1.1\r\nhost: x\r\ncontent-type: text/plain\r\nx-api-key: ${mailbox.api_key}\r\n` +
          'transfer-encoding: chunked\r\n\r\n',
      );
      const chunk = Buffer.alloc(16 * 1024, 'b');
      for (let i = 0; i < 12; i++) socket.write(`${chunk.length.toString(16)}\r\n${chunk.toString('latin1')}\r\n`);
      socket.end('0\r\n\r\n');
    });
    expect(text).toMatch(/^HTTP\/1\.1 413/);
    expect(text).toContain('"payload_too_large"');
  });
});

describe('bodies in flight are bounded', () => {
  test('past the budget a producer gets 503 with Retry-After, then gets through once it frees', async () => {
    // Two producers announce 45 KiB bodies and hold them back: 90 KiB of a 100 KiB budget.
    const held = [0, 1].map(() => {
      const socket = net.connect(port(), hostname());
      const body = event(45 * 1024);
      const answer = new Promise<string>((resolve) => {
        let text = '';
        socket.on('data', (chunk) => (text += chunk.toString('latin1')));
        socket.on('end', () => resolve(text));
        socket.on('error', (error) => resolve(`${text}[error: ${error.message}]`));
      });
      socket.write(
        `POST ${ingestPath()} HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-type: application/json\r\n` +
          `x-api-key: ${mailbox.api_key}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n`,
      );
      return { socket, body, answer };
    });
    // Until the server has read both requests' headers, their bytes are not taken: a probe
    // without a key (401 otherwise, storing nothing) is refused 503 once they are.
    await vi.waitFor(
      async () => {
        const probe = await fetch(`${hookpost.baseUrl}${ingestPath()}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: event(20 * 1024),
        });
        await probe.arrayBuffer();
        expect(probe.status).toBe(503);
      },
      { timeout: 10_000, interval: 50 },
    );

    const refused = await fetch(`${hookpost.baseUrl}${ingestPath()}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': mailbox.api_key },
      body: event(20 * 1024),
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect((await refused.json()).error.code).toBe('unavailable');

    for (const { socket, body } of held) socket.write(body);
    const answers = await Promise.all(held.map(({ answer }) => answer));
    for (const text of answers) expect(text).toMatch(/^HTTP\/1\.1 202/);

    const accepted = await fetch(`${hookpost.baseUrl}${ingestPath()}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': mailbox.api_key },
      body: event(20 * 1024),
    });
    expect(accepted.status).toBe(202);
    expect(await listAll<Event>(hookpost, '/api/webhooks')).toHaveLength(3);
  });
});

describe('slow and idle clients are cut off', () => {
  test('headers that never finish: the connection is closed', async () => {
    const { closed } = await rawExchange((socket) => socket.write('GET /healthz HTTP/1.1\r\nhost: x\r\n'), 10_000);
    expect(closed).toBe(true);
  });

  test('a body that trickles in: the request is cut off', async () => {
    const { closed } = await rawExchange((socket) => {
      socket.write(
        `POST ${ingestPath()} HTTP/1.1\r\nhost: x\r\ncontent-type: text/plain\r\nx-api-key: ${mailbox.api_key}\r\n` +
          'content-length: 1000\r\n\r\n',
      );
      const drip = setInterval(() => (socket.writable ? socket.write('a') : clearInterval(drip)), 200);
      socket.on('close', () => clearInterval(drip));
    }, 10_000);
    expect(closed).toBe(true);
    const events = await listAll<Event>(hookpost, '/api/webhooks');
    const details = await Promise.all(events.map((event) => eventByTracking(hookpost, event.tracking_number)));
    expect(details.map((detail) => detail.content_type)).not.toContain('text/plain');
  });

  test('connections beyond the cap are refused, and the server serves again once slow ones are cut', async () => {
    const sockets = await Promise.all(
      Array.from(
        { length: 24 },
        () =>
          new Promise<net.Socket>((resolve) => {
            const socket = net.connect(port(), hostname(), () => resolve(socket));
            socket.on('error', () => undefined);
          }),
      ),
    );
    const extra = await rawExchange((socket) => socket.write('GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n'), 5_000);
    expect(extra.closed).toBe(true);
    expect(extra.text).toBe('');
    // The idle ones are cut at the headers deadline (1 s); then others get through.
    await vi.waitFor(async () => expect((await fetch(`${hookpost.baseUrl}/healthz`)).status).toBe(200), {
      timeout: 15_000,
      interval: 250,
    });
    for (const socket of sockets) socket.destroy();
  });
});

test('a body-less action with Content-Type: application/json and no body is not invalid JSON', async () => {
  const response = await fetch(`${hookpost.baseUrl}/api/webhooks/0193a1b2-0000-7000-8000-000000000000/retry`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
  });
  expect(response.status).toBe(404);
  expect((await response.json()).error.code).toBe('not_found');
});

describe('requests refused before any route still get the one error shape', () => {
  test('headers too large: 431 headers_too_large, and the server serves the next request', async () => {
    const response = await fetch(`${hookpost.baseUrl}/api/mailboxes`, {
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'x-padding': 'x'.repeat(20 * 1024) },
    });
    expect(response.status).toBe(431);
    expect(response.headers.get('content-type')).toBe('application/json');
    const { error } = await response.json();
    expect(error).toEqual({ code: 'headers_too_large', message: expect.stringMatching(/headers are larger/) });
    expect((await fetch(`${hookpost.baseUrl}/healthz`)).status).toBe(200);
  });

  test('headers that never finish: 408 request_timeout in the same shape before the connection closes', async () => {
    const { text, closed } = await rawExchange((socket) => socket.write('GET /healthz HTTP/1.1\r\nhost: x\r\n'));
    expect(closed).toBe(true);
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)).error.code).toBe('request_timeout');
  });
});
