/**
 * `hookpost erase` against a real Hookpost: it runs the server's bulk erasure of a
 * mailbox's events by filter, counting first, asking before it starts (or `--yes`),
 * printing the progress the server pushes until it ends, and refusing a filter with no
 * condition unless `--everything` says so.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Event } from '../clients/typescript/src/types.ts';
import { runCli } from './support/cli.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import {
  createMailbox,
  sendEvent,
  startTestHookpost,
  TEST_ADMIN_TOKEN,
  type CreatedMailbox,
  type TestHookpost,
} from './support/hookpost.ts';
import { listAll } from './support/listAll.ts';

let db: TestDatabase;
let hookpost: TestHookpost;
let mailbox: CreatedMailbox;
let home: string;
let env: Record<string, string>;

beforeAll(async () => {
  db = await createTestDatabase();
  hookpost = await startTestHookpost(db.url, { workerPollIntervalMs: 100 });
  // No endpoint takes these: stored, not delivered.
  mailbox = await createMailbox(hookpost, {
    name: 'Subjects',
    target_url: 'http://127.0.0.1:9/none',
    event_types: ['x'],
  });
  for (let i = 0; i < 12; i += 1) {
    const subject = i < 9 ? 'C-42' : 'C-7';
    expect(
      (await sendEvent(hookpost, mailbox, { event: 'profile.updated', data: { customer_id: subject, i } })).status,
    ).toBe(202);
  }
  home = await fs.mkdtemp(path.join(os.tmpdir(), 'hookpost-cli-erase-'));
  env = { HOOKPOST_CONFIG: path.join(home, 'config.json') };
  expect((await runCli(['login', '--url', hookpost.baseUrl, '--token', TEST_ADMIN_TOKEN], env)).code).toBe(0);
});

afterAll(async () => {
  await hookpost?.stop();
  await db?.drop();
  if (home) await fs.rm(home, { recursive: true, force: true });
});

const erased = async () =>
  (await listAll<Event>(hookpost, `/api/webhooks?mailbox_id=${mailbox.id}`)).filter((event) => event.erased_at).length;

describe('hookpost erase', () => {
  test('counts; without --yes or an answer it starts nothing; with no condition it is refused', async () => {
    const dryRun = await runCli(['erase', mailbox.id, '--field', 'data.customer_id=C-42', '--dry-run'], env);
    expect(dryRun).toMatchObject({ code: 0, stdout: '9 events match the filter.\n' });

    const unanswered = await runCli(['erase', mailbox.id, '--field', 'data.customer_id=C-42'], env);
    expect(unanswered.code).toBe(1);
    expect(unanswered.stderr).toMatch(/Erase these 9 for good\? .*\[y\/N\]/);
    expect(unanswered.stderr).toMatch(/Not started: no answer \(pass --yes/);

    const everything = await runCli(['erase', mailbox.id, '--yes'], env);
    expect(everything.code).toBe(1);
    expect(everything.stderr).toMatch(/everything/);
    expect(await erased()).toBe(0);
    expect(await listAll(hookpost, `/api/mailboxes/${mailbox.id}/erasures`)).toEqual([]);
  });

  test('with --yes it erases exactly the matching events, printing progress to the end', async () => {
    const run = await runCli(['erase', mailbox.id, '--field', 'data.customer_id=C-42', '--yes'], env);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toBe('9 events match the filter.');
    const id = /^Started erasure (\S+) of 9 events; Ctrl-C cancels it\.$/.exec(lines[1]!)?.[1];
    expect(id).toBeDefined();
    expect(lines.at(-1)).toBe(`Erasure ${id} finished: 9 events of 9 erased.`);
    expect(await erased()).toBe(9);

    // The rest, said explicitly.
    const rest = await runCli(['erase', mailbox.id, '--everything', '--yes'], env);
    expect(rest.code).toBe(0);
    expect(rest.stdout.trim().split('\n').at(-1)).toMatch(/finished: 3 events of 3 erased\.$/);
    expect(await erased()).toBe(12);
  });
});
