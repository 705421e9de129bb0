/**
 * "Erase matching events" on the events page, in the system Chromium against a real
 * Hookpost process: an admin narrows the view to a mailbox and a data subject's id, the
 * dialog counts the events and says they cannot be recovered, the erase button names the
 * count and waits for a tick, then progress arrives live until it is finished. Only those
 * events are erased. Screenshots go to test/artifacts/erasure/; axe over each step.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, onTestFailed, test } from 'vitest';
import { seriousA11yViolations } from './support/axe.ts';
import { launchBrowser, type TestBrowser } from './support/browser.ts';
import { startDashboardServer, type DashboardServer } from './support/dashboardServer.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { gqlData } from './support/graphql.ts';
import { TEST_ADMIN_TOKEN } from './support/hookpost.ts';

const ARTIFACTS = path.resolve(import.meta.dirname, 'artifacts/erasure');
const SECRET = 'jane.doe@example.com';
/** The data subject's events: enough that a slow erasure shows its progress. */
const SUBJECT_EVENTS = 30;

let db: TestDatabase;
let server: DashboardServer;
let browser: TestBrowser;
let page: Page;
let people: { id: string; apiKey: string };
let others: { id: string; apiKey: string };

const api = (query: string, variables: Record<string, unknown> = {}) =>
  gqlData({ baseUrl: server.baseUrl }, query, variables);

async function createMailbox(name: string) {
  const created = await api(
    `mutation($input: CreateMailboxInput!) { createMailbox(input: $input) { apiKey mailbox { id } } }`,
    { input: { name } },
  );
  return { id: created.createMailbox.mailbox.id as string, apiKey: created.createMailbox.apiKey as string };
}

async function sendEvent(mailbox: { id: string; apiKey: string }, body: unknown): Promise<string> {
  const response = await fetch(`${server.baseUrl}/webhooks/${mailbox.id}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': mailbox.apiKey },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { tracking_number: string }).tracking_number;
}

async function expectAccessible(target: Page, view: string) {
  const findings = await seriousA11yViolations(target);
  if (findings.length) console.info(`axe on ${view}:`, JSON.stringify(findings, null, 2));
  expect(findings.map((finding) => `${view}: ${finding.id} (${finding.impact})`)).toEqual([]);
}

async function screenshot(target: Page, name: string) {
  await target.evaluate(() => document.fonts.ready);
  await target.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: false });
}

beforeAll(async () => {
  await fs.mkdir(ARTIFACTS, { recursive: true });
  db = await createTestDatabase();
  // A slow erasure (10 events a second), so its progress can be watched.
  server = await startDashboardServer(db.url, { HOOKPOST_ERASURE_PER_SECOND: '10' });
  // Mailboxes without endpoints: their events are stored, not delivered.
  people = await createMailbox('People');
  others = await createMailbox('Others');
  for (let i = 0; i < SUBJECT_EVENTS; i += 1)
    await sendEvent(people, { event: 'profile.updated', data: { customer_id: 'C-42', email: SECRET, i } });
  for (let i = 0; i < 5; i += 1)
    await sendEvent(people, { event: 'profile.updated', data: { customer_id: 'C-7', email: 'x@y.z', i } });
  await sendEvent(others, { event: 'profile.updated', data: { customer_id: 'C-42', email: SECRET } });

  browser = await launchBrowser({ colorScheme: 'light' });
  page = await browser.context.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(`${server.baseUrl}/`);
  await page.getByLabel('Access token').fill(TEST_ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('[data-connection="live"]').waitFor();
}, 240_000);

beforeEach((context) => {
  onTestFailed(async () => {
    await page
      ?.screenshot({
        path: path.join(ARTIFACTS, `failed-${context.task.name.slice(0, 40).replace(/[^a-z0-9]+/gi, '-')}.png`),
        fullPage: true,
      })
      .catch(() => {});
  });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await db?.drop();
});

describe('erasing the events a view matches', () => {
  test('without a mailbox in the filters, the action says to choose one first', async () => {
    await page.goto(`${server.baseUrl}/events`);
    await page.locator('tbody tr').first().waitFor();
    const erase = page.getByRole('button', { name: 'Erase matching…' });
    expect(await erase.isDisabled()).toBe(true);
    expect(await erase.getAttribute('title')).toMatch(/Choose a mailbox/);
  });

  test(
    "an admin erases a subject's events: a count and a warning first, then live progress to the end",
    { timeout: 120_000 },
    async () => {
      await page.goto(`${server.baseUrl}/events?mailbox=${people.id}&q=data.customer_id%3AC-42`);
      await page.locator('tbody tr').first().waitFor();
      await page.getByRole('button', { name: 'Erase matching…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Erase matching events' });
      await dialog.locator(`[data-preview-count="${SUBJECT_EVENTS}"]`).waitFor();
      await dialog.getByText(`${SUBJECT_EVENTS} events will be erased. This cannot be undone.`).waitFor();
      await dialog.getByText('whose data.customer_id is “C-42”').waitFor();
      // Focus is inside the dialog, and nothing is erased before the tick.
      expect(await page.evaluate(() => Boolean(document.activeElement?.closest('dialog')))).toBe(true);
      const erase = dialog.getByRole('button', { name: `Erase ${SUBJECT_EVENTS} events` });
      expect(await erase.isDisabled()).toBe(true);
      await screenshot(page, 'erase-confirm');
      await expectAccessible(page, 'erasure confirmation');

      await dialog.getByLabel(`I understand that ${SUBJECT_EVENTS} events of People will be erased for good.`).check();
      expect(await erase.isDisabled()).toBe(false);
      await erase.click();

      // Progress arrives pushed, batch by batch, to the end.
      const erased = dialog.getByTestId('erasure-erased');
      await expect
        .poll(async () => Number((await erased.textContent())!.split(' of ')[0]), { timeout: 20_000 })
        .toBeGreaterThan(0);
      if ((await dialog.locator('[data-erasure-status="running"]').count()) > 0) {
        await screenshot(page, 'erase-progress');
        await expectAccessible(page, 'erasure progress');
      }
      await dialog.locator('[data-erasure-status="finished"]').waitFor({ timeout: 60_000 });
      expect(await erased.textContent()).toBe(`${SUBJECT_EVENTS} of ${SUBJECT_EVENTS}`);
      await screenshot(page, 'erase-finished');
      await dialog.getByRole('button', { name: 'Done' }).click();
      await dialog.waitFor({ state: 'hidden' });

      // Only the subject's events in that mailbox are erased.
      const { rows } = await db.pool.query<{ mailbox_id: string; erased: boolean; holds: boolean }>(
        `select mailbox_id, erased_at is not null as erased, position(convert_to($1, 'UTF8') in body) > 0 as holds
           from event`,
        [SECRET],
      );
      expect(rows.filter((row) => row.erased)).toHaveLength(SUBJECT_EVENTS);
      expect(rows.filter((row) => row.holds).map((row) => row.mailbox_id)).toEqual([others.id]);
      const { erasures } = await api(`{ erasures { status matched erased createdBy } }`);
      expect(erasures).toEqual([
        { status: 'finished', matched: SUBJECT_EVENTS, erased: SUBJECT_EVENTS, createdBy: 'HOOKPOST_ADMIN_TOKEN' },
      ]);

      // The view, read again, finds nothing of the subject any more.
      await page.goto(`${server.baseUrl}/events?mailbox=${people.id}&q=data.customer_id%3AC-42`);
      await page.getByText('No events match these filters').waitFor();
      // An erased event's page says so, with nothing of its payload.
      const { rows: tombstones } = await db.pool.query<{ id: string }>(
        `select id from event where erased_at is not null limit 1`,
      );
      await page.goto(`${server.baseUrl}/events/${tombstones[0]!.id}`);
      await page.getByTestId('payload-erased').waitFor();
      expect(await page.content()).not.toContain(SECRET);
      await screenshot(page, 'erased-event');
      await expectAccessible(page, 'erased event');
    },
  );
});
