/**
 * `hookpost replay` against a real Hookpost: it runs the server's bulk replay of failed
 * deliveries by filter (REST /api/replays), previewing the count, asking before it starts
 * (or `--yes`), printing the progress the server pushes, and cancelling the replay on
 * Ctrl-C. Replays here go 5 deliveries a second (HOOKPOST_REPLAY_PER_SECOND=1), so one
 * of 40 is still running when the test presses Ctrl-C.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { main } from '../clients/typescript/src/cli/main.ts';
import { runCli, startCli } from './support/cli.ts';
import { createMailbox, sendEvent, TEST_ADMIN_TOKEN } from './support/hookpost.ts';
import { useHookpost, useReceiver } from './support/hooks.ts';

const { hookpost } = useHookpost({ replayPerSecond: 1 });
const receiver = useReceiver();
let home: string;
let env: Record<string, string>;
/** The paths the receiver answers 200 on; every other one gets 503. */
const healthy = new Set<string>();

beforeAll(async () => {
  receiver.reply((request) => (healthy.has(request.path) ? { status: 200 } : { status: 503 }));
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'hookpost-cli-replay-'));
  env = { HOOKPOST_CONFIG: path.join(home, 'config.json') };
  const login = await runCli(['login', '--url', hookpost.baseUrl, '--token', TEST_ADMIN_TOKEN], env);
  expect(login.code).toBe(0);
});

afterAll(async () => {
  if (home) await fs.rm(home, { recursive: true, force: true });
});

/** A mailbox whose one endpoint (at /<name>) has `count` failed deliveries: one attempt each, no circuit in the way. */
async function failedDeliveries(name: string, count: number): Promise<string> {
  const mailbox = await createMailbox(hookpost, { name });
  const created = await hookpost.api(`/api/mailboxes/${mailbox.id}/endpoints`, {
    method: 'POST',
    json: {
      url: `${receiver.url}/${name}`,
      retry_policy: { max_attempts: 1 },
      health_policy: { failure_threshold: 100_000, min_attempts: 100_000 },
    },
  });
  expect(created.status).toBe(201);
  for (let n = 0; n < count; n++)
    expect((await sendEvent(hookpost, mailbox, { event: 'invoice.failed', n })).status).toBe(202);
  await vi.waitFor(
    async () => {
      const failed = (await (
        await hookpost.api(`/api/dead-letters?mailbox_id=${mailbox.id}&limit=100`)
      ).json()) as unknown[];
      expect(failed).toHaveLength(count);
    },
    { timeout: 30_000, interval: 200 },
  );
  return mailbox.id;
}

async function replays(): Promise<
  { id: string; status: string; total: number; processed: number; requeued: number }[]
> {
  return (await (await hookpost.api('/api/replays')).json()) as never;
}

describe('hookpost replay', () => {
  test('previews the count; without --yes or an answer it starts nothing', async () => {
    const mailboxId = await failedDeliveries('unanswered', 2);
    const dryRun = await runCli(['replay', '--mailbox', mailboxId, '--dry-run'], env);
    expect(dryRun).toMatchObject({ code: 0, stdout: '2 failed deliveries match the filter.\n' });

    const unanswered = await runCli(['replay', '--mailbox', mailboxId], env);
    expect(unanswered.code).toBe(1);
    expect(unanswered.stdout).toBe('2 failed deliveries match the filter.\n');
    expect(unanswered.stderr).toMatch(/Replay these 2\? .*\[y\/N\]/);
    expect(unanswered.stderr).toMatch(/Not started: no answer \(pass --yes/);
    expect(await replays()).toEqual([]);

    const nothing = await runCli(['replay', '--mailbox', mailboxId, '--status-code', '418', '--yes'], env);
    expect(nothing).toMatchObject({ code: 0, stdout: '0 failed deliveries match the filter.\n' });
    expect(await replays()).toEqual([]);
  });

  test('Ctrl-C at the [y/N] prompt is no answer: a "y" typed after it starts nothing, and it exits 1', async () => {
    const mailboxId = await failedDeliveries('interrupted-prompt', 1);
    const cli = startCli(['replay', '--mailbox', mailboxId], env, { input: true });
    await cli.waitForLine(/^Replay it\? .*\[y\/N\]$/);
    cli.interrupt();
    // Typed once the Ctrl-C has been handled (a fixed pause could end first on a loaded machine).
    await vi.waitFor(() => expect(cli.stderr.join('\n')).toMatch(/Not started: no answer/), {
      timeout: 20_000,
      interval: 20,
    });
    cli.type('y');
    expect(await cli.exited).toBe(1);
    expect(cli.stderr.join('\n')).toMatch(/Not started: no answer/);
    expect(await replays()).toEqual([]);
  });

  test('interrupted before the preview answers (even with --yes), it starts nothing and exits 1', async () => {
    const mailboxId = await failedDeliveries('interrupted-preview', 1);
    const err: string[] = [];
    const out: string[] = [];
    const code = await main(
      ['replay', '--url', hookpost.baseUrl, '--token', TEST_ADMIN_TOKEN, '--mailbox', mailboxId, '--yes'],
      {
        io: { out: (line) => out.push(line), err: (line) => err.push(line), readLine: async () => 'y' },
        env,
        signal: AbortSignal.abort(),
      },
    );
    expect(code).toBe(1);
    expect(err.join('\n')).toMatch(/Not started: interrupted/);
    expect(out).toEqual([]);
    expect(await replays()).toEqual([]);
  });

  test('with --yes it starts the server replay, prints its progress, and ends when the replay does', async () => {
    const mailboxId = await failedDeliveries('billing', 3);
    healthy.add('/billing');
    const run = await runCli(['replay', '--mailbox', mailboxId, '--status-code', '503', '--yes'], env);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toBe('3 failed deliveries match the filter.');
    const id = /^Started replay (\S+) of 3 failed deliveries; Ctrl-C cancels it\.$/.exec(lines[1]!)?.[1];
    expect(id).toBeDefined();
    expect(lines).toContain('3/3 taken, 3 put back in line');
    expect(lines.at(-1)).toBe(`Replay ${id} finished: 3 deliveries of 3 put back in line.`);
    expect(await replays()).toEqual([expect.objectContaining({ id, status: 'finished', total: 3, requeued: 3 })]);
    await vi.waitFor(
      async () => {
        const failed = (await (await hookpost.api(`/api/dead-letters?mailbox_id=${mailboxId}`)).json()) as unknown[];
        expect(failed).toEqual([]);
      },
      { timeout: 20_000, interval: 100 },
    );
    expect(receiver.requests.filter((request) => request.path === '/billing')).toHaveLength(6);
  });

  test('asked, it starts on "y", prints progress as the server pushes it, and Ctrl-C cancels the replay', async () => {
    const mailboxId = await failedDeliveries('outage', 40);
    const cli = startCli(['replay', '--mailbox', mailboxId], env, { input: true });
    await cli.waitForLine(/^Replay these 40\? .*\[y\/N\]$/);
    cli.type('y');
    const started = await cli.waitForLine(/^Started replay \S+ of 40 failed deliveries/);
    const id = started.split(' ')[2]!;
    // Two different states, while it runs: pushed as it moves, not read once.
    await vi.waitFor(
      () => expect(new Set(cli.stdout.filter((line) => /^\d+\/40 taken/.test(line))).size).toBeGreaterThanOrEqual(2),
      { timeout: 20_000, interval: 50 },
    );
    expect(await cli.stop()).toBe(0);
    const cancelled = await cli.waitForLine(/^Replay \S+ cancelled after \d+ of 40/);
    const after = Number(/after (\d+) of 40/.exec(cancelled)![1]);
    expect(after).toBeLessThan(40);
    const replay = (await replays()).find((r) => r.id === id);
    expect(replay).toMatchObject({ status: 'cancelled', total: 40, processed: after });
  });
});
