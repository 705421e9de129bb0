/**
 * The sample receiver the README and docs/receivers.md show is docs/receiver.mjs, word
 * for word, and it works: run against a real Hookpost it verifies a real delivery, and
 * refuses a forged or stale request and does the work of a repeated delivery once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { signatureHeaders } from '../server/delivery/signature.ts';
import { fromRoot } from '../server/projectRoot.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { createMailbox, sendEvent, startTestHookpost, type TestHookpost } from './support/hookpost.ts';
import { freePort } from './support/ports.ts';

const sample = readFileSync(fromRoot('docs', 'receiver.mjs'), 'utf8');

let db: TestDatabase;
let hookpost: TestHookpost;
let receiver: ChildProcess;
let printed = '';
let url: string;

beforeAll(async () => {
  db = await createTestDatabase();
  hookpost = await startTestHookpost(db.url);
});

afterAll(async () => {
  receiver?.kill('SIGTERM');
  await hookpost?.stop();
  await db?.drop();
});

/** The ```js blocks of a Markdown file that are the sample receiver. */
const sampleBlocks = (file: string) =>
  [...readFileSync(fromRoot(file), 'utf8').matchAll(/```js\n(\/\/ receiver\.mjs[\s\S]*?)```/g)].map(([, code]) => code);

describe('the sample receiver', () => {
  test('the README and docs/receivers.md show docs/receiver.mjs as it is', () => {
    expect(sampleBlocks('README.md')).toEqual([sample]);
    expect(sampleBlocks('docs/receivers.md')).toEqual([sample]);
  });

  test('verifies a real delivery, refuses forged and stale requests, handles a repeat once', async () => {
    const mailbox = await createMailbox(hookpost, { name: 'Sample' });
    const port = await freePort();
    url = `http://127.0.0.1:${port}/hook`;
    const created = await hookpost.api(`/api/mailboxes/${mailbox.id}/endpoints`, { method: 'POST', json: { url } });
    const { signing_secret: secret } = (await created.json()) as { signing_secret: string };
    receiver = spawn(process.execPath, [fromRoot('docs', 'receiver.mjs')], {
      cwd: fromRoot(),
      env: { PATH: process.env.PATH, HOOKPOST_SIGNING_SECRET: secret, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    receiver.stdout!.on('data', (chunk: Buffer) => (printed += chunk.toString('utf8')));
    await vi.waitFor(() => fetch(url, { method: 'POST' }), { timeout: 10_000, interval: 50 });

    const body = '{"event":"order.completed","data":{"name":"Zoë"}}';
    const sent = await sendEvent(hookpost, mailbox, body);
    const { tracking_number } = (await sent.json()) as { tracking_number: string };
    await vi.waitFor(
      async () => {
        const event = (await (await hookpost.api(`/api/webhooks/${tracking_number}`)).json()) as { status: string };
        expect(event.status).toBe('delivered');
      },
      { timeout: 15_000, interval: 100 },
    );
    const event = (await (await hookpost.api(`/api/webhooks/${tracking_number}`)).json()) as {
      deliveries: { id: string }[];
    };
    const deliveryId = event.deliveries[0]!.id;
    expect(printed).toContain(`verified ${deliveryId}: ${body}\n`);

    const post = (headers: Record<string, string>, payload = body) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: payload });
    const now = Math.floor(Date.now() / 1000);
    const signed = (at: number) =>
      signatureHeaders({ messageId: deliveryId, timestampSeconds: at, body: Buffer.from(body), secrets: [secret] });

    expect((await post(signed(now), body.replace('Zoë', 'Eve'))).status).toBe(401);
    expect((await post({ ...signed(now), 'webhook-signature': 'v1,bm90IGEgc2lnbmF0dXJl' })).status).toBe(401);
    expect((await post(signed(now - 6 * 60))).status).toBe(401);
    // The same delivery again (at-least-once): answered 2xx, the work done once.
    expect((await post(signed(now))).status).toBe(204);
    expect(printed.split(`verified ${deliveryId}`)).toHaveLength(2);
  });
});
