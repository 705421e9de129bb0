/**
 * The `hookpost` CLI against a real Hookpost, as an operator uses it: sign in with a
 * token, create a mailbox and an endpoint, send an event, follow it live while it fails,
 * retry it to delivered (replay by filter: cli.replay.test.ts). The receiver checks
 * every request with the independent `standardwebhooks` package.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli, runCliJson, startCli } from './support/cli.ts';
import { TEST_ADMIN_TOKEN } from './support/hookpost.ts';
import { useHookpost, useReceiver } from './support/hooks.ts';

const { hookpost } = useHookpost();
const receiver = useReceiver({ status: 500, body: 'down for maintenance' });
let home: string;
/** The CLI's environment: its own settings file, nothing else of ours. */
let env: Record<string, string>;

beforeAll(async () => {
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'hookpost-cli-'));
  env = { HOOKPOST_CONFIG: path.join(home, 'config.json') };
});

afterAll(async () => {
  if (home) await fs.rm(home, { recursive: true, force: true });
});

describe('hookpost, the CLI', () => {
  test('without a token it says how to get one; with a wrong one it says what Hookpost answered', async () => {
    const anonymous = await runCli(['mailboxes', 'list', '--url', hookpost.baseUrl], env);
    expect(anonymous.code).toBe(1);
    expect(anonymous.stderr).toMatch(/No access token: run `hookpost login --token/);
    const wrong = await runCli(['login', '--url', hookpost.baseUrl, '--token', 'hpt_not_a_real_token_xxxxxxxxx'], env);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/\(unauthenticated, HTTP 401\)/);
    await expect(fs.stat(env.HOOKPOST_CONFIG!)).rejects.toThrow();
  });

  test('sign in, create a mailbox and an endpoint, send an event, follow it failing, retry it to delivered', async () => {
    const login = await runCli(['login', '--url', hookpost.baseUrl, '--token', TEST_ADMIN_TOKEN], env);
    expect(login.stdout).toMatch(new RegExp(`Signed in to ${hookpost.baseUrl} as .+ \\(admin\\)`));
    // The token is a credential: the settings file is its owner's only.
    expect((await fs.stat(env.HOOKPOST_CONFIG!)).mode & 0o777).toBe(0o600);
    expect((await runCli(['whoami'], env)).stdout).toMatch(/\(admin\) on http/);

    const mailbox = await runCliJson(['mailboxes', 'create', 'Shop'], env);
    const endpoint = await runCliJson(
      ['endpoints', 'create', mailbox.id, `${receiver.url}/hook`, '--max-attempts', '1', '--header', 'x-team: shop'],
      env,
    );
    expect((await runCli(['mailboxes'], env)).stdout).toContain(`${mailbox.id}  Shop`);
    expect((await runCli(['endpoints', 'secret', endpoint.id], env)).stdout.trim()).toBe(endpoint.signing_secret);

    const follow = startCli(['events', '--follow', '--mailbox', mailbox.id], env);
    try {
      await follow.waitForLine(/^Following events of mailbox/);
      const sent = await runCliJson(
        ['send', mailbox.id, '{"event":"order.completed","data":{"order_id":"ORD-1"}}', '--api-key', mailbox.api_key],
        env,
      );
      expect(sent).toMatchObject({ status: 'queued', location: `/api/webhooks/${sent.tracking_number}` });

      // Its status is the one it has when the line is pushed: queued, delivering or already failed.
      await follow.waitForLine(new RegExp(`${sent.tracking_number}  \\w+  order\\.completed  Shop`));
      await follow.waitForLine(
        new RegExp(`${sent.tracking_number}  delivery \\S+ failed \\(attempt 1, scheduled: 500\\)`),
      );

      receiver.reply({ status: 200, body: 'ok' });
      const retry = await runCli(['retry', sent.tracking_number], env);
      expect(retry.stdout).toMatch(new RegExp(`Re-queued 1 delivery of ${sent.tracking_number}`));
      await follow.waitForLine(
        new RegExp(
          `${sent.tracking_number}  delivery \\S+ delivered \\(attempt 2, manual: 200\\) → ${receiver.url}/hook`,
        ),
      );

      const listed = await runCli(['events', '--mailbox', mailbox.id, '--status', 'delivered'], env);
      expect(listed.stdout).toMatch(new RegExp(`${sent.tracking_number}  delivered  order\\.completed  Shop\n`));
      const detail = await runCliJson(['event', sent.tracking_number], env);
      expect(detail.status).toBe('delivered');
      expect(detail.deliveries[0].attempts.map((a: { status_code: number }) => a.status_code)).toEqual([500, 200]);

      // Both attempts were the same delivery, signed with the endpoint's secret.
      const requests = receiver.requests.filter((request) => request.path === '/hook');
      expect(requests).toHaveLength(2);
      expect(requests[0]!.headers['webhook-id']).toBe(detail.deliveries[0].id);
      expect(requests[1]!.headers['webhook-id']).toBe(detail.deliveries[0].id);
      for (const request of requests) {
        expect(request.headers['x-team']).toBe('shop');
        expect(() =>
          new Webhook(endpoint.signing_secret).verify(
            request.body.toString('utf8'),
            request.headers as Record<string, string>,
          ),
        ).not.toThrow();
      }
    } finally {
      expect(await follow.stop()).toBe(0);
    }
  });

  test('a refusal is printed with its code, and the exit code says it failed', async () => {
    const missing = await runCli(['retry', '0193a5b4-1f00-7e6d-a3b2-9c8d7e6f5a41'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/\(not_found, HTTP 404\)/);
  });
});
