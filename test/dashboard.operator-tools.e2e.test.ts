/**
 * The events page's operator tools in the system Chromium against a real Hookpost process
 * and real receivers: a bulk replay of the whole filtered view (more events than the page
 * has loaded) with a count first, progress pushed live and cancel; a replay of picked rows;
 * search by payload field, HTTP status and error kind, with a bad query explained inline;
 * and resending one event to one chosen endpoint. Screenshots go to
 * test/artifacts/operator-tools/; axe over each dialog.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { seriousA11yViolations } from './support/axe.ts';
import { launchBrowser, screenshotOnFailure, type TestBrowser } from './support/browser.ts';
import { startDashboardServer, type DashboardServer } from './support/dashboardServer.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { gqlData } from './support/graphql.ts';
import { TEST_ADMIN_TOKEN } from './support/hookpost.ts';
import { startReceiver, type Receiver } from './support/receiver.ts';

const ARTIFACTS = path.resolve(import.meta.dirname, 'artifacts/operator-tools');
/** More failed events than the list loads at first (its page is 100 rows). */
const BULK = 130;

let db: TestDatabase;
let server: DashboardServer;
let failing: Receiver;
let other: Receiver;
let browser: TestBrowser;
let page: Page;
let mailbox: { id: string; apiKey: string };
let bulkEndpointId: string;

const api = (query: string, variables: Record<string, unknown> = {}) =>
  gqlData({ baseUrl: server.baseUrl }, query, variables);

async function sendEvent(body: unknown): Promise<string> {
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
  await target.locator('[data-connection="live"]').waitFor({ timeout: 30_000 });
  await target.evaluate(() => document.fonts.ready);
  await target.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: false });
}

const row = (trackingNumber: string) => page.locator(`tr[data-tracking-number="${trackingNumber}"]`);
const shownRows = () =>
  page
    .locator('table.events-table')
    .getAttribute('aria-rowcount')
    .then((n) => Number(n) - 1);
/** How many events match, read page by page from the API (the list has no total). */
async function countEvents(filter: object): Promise<number> {
  let total = 0;
  for (let after: string | null = null; ;) {
    const { events } = await api(
      `query($f: EventFilter, $after: String) { events(first: 100, filter: $f, after: $after) { edges { cursor } pageInfo { hasNextPage endCursor } } }`,
      { f: filter, after },
    );
    total += events.edges.length;
    if (!events.pageInfo.hasNextPage) return total;
    after = events.pageInfo.endCursor;
  }
}

beforeAll(async () => {
  await fs.mkdir(ARTIFACTS, { recursive: true });
  db = await createTestDatabase();
  // A slow replay (10 deliveries a second), so its progress can be watched and cancelled.
  server = await startDashboardServer(db.url, { HOOKPOST_REPLAY_PER_SECOND: '10' });
  failing = await startReceiver({ status: 503, body: 'maintenance' });
  other = await startReceiver({ status: 200 });
  const created = await api(
    `mutation($input: CreateMailboxInput!) { createMailbox(input: $input) { apiKey mailbox { id } } }`,
    { input: { name: 'Shop' } },
  );
  mailbox = { id: created.createMailbox.mailbox.id, apiKey: created.createMailbox.apiKey };
  const bulk = await api(
    `mutation($m: ID!, $url: String!) { createEndpoint(input: { mailboxId: $m, url: $url, description: "orders to the warehouse",
       retryPolicy: { maxAttempts: 1 } }) { endpoint { id } } }`,
    { m: mailbox.id, url: `${failing.url}/warehouse` },
  );
  bulkEndpointId = bulk.createEndpoint.endpoint.id;
  // A threshold the failures do not reach: the deliveries fail rather than being held.
  await api(
    `mutation($id: ID!) { updateEndpoint(id: $id, input: { healthPolicy: { failureThreshold: 100000, minAttempts: 100000 } }) { id } }`,
    { id: bulkEndpointId },
  );
  // Only for invoices: it never gets an order unless an operator resends one to it.
  await api(
    `mutation($m: ID!, $url: String!) { createEndpoint(input: { mailboxId: $m, url: $url, description: "the ledger",
       eventTypes: ["invoice.*"] }) { endpoint { id } } }`,
    { m: mailbox.id, url: `${other.url}/ledger` },
  );

  const queue = Array.from({ length: BULK }, (_, i) => i);
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let i = queue.shift(); i !== undefined; i = queue.shift())
        await sendEvent({ event: 'order.created', data: { order_id: `ORD-${i}`, customer: i % 2 ? 'odd' : 'even' } });
    }),
  );
  await vi.waitFor(async () => expect(await countEvents({ status: ['failed'] })).toBe(BULK), {
    timeout: 60_000,
    interval: 500,
  });

  browser = await launchBrowser({ colorScheme: 'light' });
  page = await browser.context.newPage();
  page.setDefaultTimeout(20_000);
  await page.goto(`${server.baseUrl}/`);
  await page.getByLabel('Access token').fill(TEST_ADMIN_TOKEN);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('[data-connection="live"]').waitFor();
}, 240_000);

screenshotOnFailure(ARTIFACTS, 'failed-', () => page);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await failing?.close();
  await other?.close();
  await db?.drop();
});

describe('operator tools on the events page', () => {
  test('a first visit to the events page: every file and the GraphQL answers come compressed; the bytes are printed', async () => {
    const fresh = await launchBrowser({ colorScheme: 'light' });
    try {
      const first = await fresh.context.newPage();
      first.setDefaultTimeout(30_000);
      const cdp = await fresh.context.newCDPSession(first);
      await cdp.send('Network.enable');
      const responses = new Map<string, { url: string; encoding: string; type: string }>();
      const bytes = new Map<string, number>();
      cdp.on('Network.responseReceived', (event) => {
        const headers = Object.fromEntries(
          Object.entries(event.response.headers).map(([name, value]) => [name.toLowerCase(), String(value)]),
        );
        responses.set(event.requestId, {
          url: event.response.url.replace(server.baseUrl, ''),
          encoding: headers['content-encoding'] ?? '',
          type: headers['content-type'] ?? '',
        });
      });
      cdp.on('Network.loadingFinished', (event) => bytes.set(event.requestId, event.encodedDataLength));
      await first.goto(`${server.baseUrl}/events`);
      await first.getByLabel('Access token').fill(TEST_ADMIN_TOKEN);
      await first.getByRole('button', { name: 'Sign in' }).click();
      await first.locator('tbody tr').first().waitFor();
      await first.locator('[data-connection="live"]').waitFor();
      const seen = [...responses].map(([id, response]) => ({ ...response, bytes: bytes.get(id) ?? 0 }));
      const total = seen.reduce((sum, response) => sum + response.bytes, 0);
      console.info(
        `A first visit to the events page (sign-in, then ${BULK}+ events listed) transferred ${Math.round(total / 1024)} KiB: ` +
          seen
            .map((r) => `${r.url.split('?')[0]} ${Math.round(r.bytes / 1024)} KiB ${r.encoding || 'plain'}`)
            .join('; '),
      );
      // Scripts, styles and the page are sent compressed, and so is every GraphQL answer worth it.
      const compressible = seen.filter(
        (r) => /javascript|css|html|json/.test(r.type) && (r.bytes > 2048 || /\.(js|css)$/.test(r.url)),
      );
      expect(compressible.filter((r) => /\.js$/.test(r.url)).length).toBeGreaterThan(0);
      expect(compressible.filter((r) => r.url.startsWith('/graphql')).length).toBeGreaterThan(0);
      expect(compressible.filter((r) => !['br', 'gzip'].includes(r.encoding)).map((r) => r.url)).toEqual([]);
    } finally {
      await fresh.close();
    }
  });

  test('search understands payload fields, HTTP status and error kind, and explains what it cannot use', async () => {
    await page.goto(`${server.baseUrl}/events`);
    await page.locator('tbody tr').first().waitFor();
    const search = page.getByLabel('Search events', { exact: true });

    await search.fill('data.order_id:ORD-7');
    await expect.poll(() => shownRows(), { timeout: 10_000 }).toBe(1);
    await page.locator('[data-term="payload"]').getByText('ORD-7').waitFor();
    await screenshot(page, 'search-payload-field');
    expect(new URL(page.url()).searchParams.get('q')).toBe('data.order_id:ORD-7');
    // A new event the search takes appears without a reload: the page cannot read payloads
    // pushed to it, so it asks the server again when events arrive.
    await search.fill('data.order_id:ORD-LIVE');
    await page.getByText('No events match these filters').waitFor();
    // Notes, not orders: the replay tests below count the orders.
    const live = await sendEvent({ event: 'note.added', data: { order_id: 'ORD-LIVE' } });
    await sendEvent({ event: 'note.added', data: { order_id: 'ORD-OTHER' } });
    await row(live).waitFor({ timeout: 15_000 });
    expect(await shownRows()).toBe(1);

    await search.fill('status:503 data.customer:odd');
    await expect.poll(() => shownRows(), { timeout: 20_000 }).toBe(BULK / 2);
    await search.fill('503 error:http_status');
    await expect.poll(() => shownRows(), { timeout: 10_000 }).toBeGreaterThanOrEqual(100);

    // A value without its field, and an unknown error kind: said beside the box, no failed page.
    await search.fill('ORD-7 error:slow');
    await page.getByText('say which field holds it, like data.order_id:ORD-7').waitFor();
    await page.getByText(/An error kind is one of/).waitFor();
    expect(await page.locator('.error-state').count()).toBe(0);
    await screenshot(page, 'search-explained');
    await expectAccessible(page, 'events search explained');
    await search.fill('');
    await page.locator('tbody tr').first().waitFor();
    // A word that is explained rather than used leaves the filter as it was: typing and
    // deleting it keeps the rows (the list once started again and stayed empty).
    await search.fill('ORD-7');
    await page.getByText('say which field holds it').waitFor();
    await search.fill('');
    await page.waitForFunction(() => new URL(location.href).searchParams.get('q') === null);
    await expect.poll(() => shownRows(), { timeout: 10_000 }).toBeGreaterThanOrEqual(100);
  });

  test('picked rows are replayed by one server-side replay, after a count', async () => {
    await page.goto(`${server.baseUrl}/events?status=failed&type=order.*`);
    await page.locator('tbody tr').nth(1).waitFor();
    await page.locator('tbody input[type="checkbox"]').nth(0).check();
    await page.locator('tbody input[type="checkbox"]').nth(1).check();
    await page.getByText('2 selected').waitFor();
    await page.getByRole('button', { name: 'Replay selected…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Replay failed deliveries' });
    await dialog.locator('[data-preview-count="2"]').waitFor();
    await dialog.getByText('of the 2 events you picked').waitFor();
    await screenshot(page, 'replay-picked-preview');
    await expectAccessible(page, 'replay picked dialog');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
  });

  test(
    'in dark mode too, the replay and resend dialogs and the explained search pass axe',
    { timeout: 180_000 },
    async () => {
      const dark = await launchBrowser({ colorScheme: 'dark' });
      try {
        const target = await dark.context.newPage();
        target.setDefaultTimeout(30_000);
        await target.goto(`${server.baseUrl}/events?status=failed&type=order.*`);
        await target.getByLabel('Access token').fill(TEST_ADMIN_TOKEN);
        await target.getByRole('button', { name: 'Sign in' }).click();
        await target.locator('tbody tr').first().waitFor();
        await target.getByLabel('Search events', { exact: true }).fill('ORD-7 status:999');
        await target.getByText('An HTTP status is a number from 100 to 599, like 503.').waitFor();
        await screenshot(target, 'search-explained-dark');
        await expectAccessible(target, 'events search explained (dark)');
        await target.getByLabel('Search events', { exact: true }).fill('');
        await target.getByRole('button', { name: 'Replay failed…' }).click();
        await target.locator(`[data-preview-count="${BULK}"]`).waitFor();
        await screenshot(target, 'replay-view-preview-dark');
        await expectAccessible(target, 'replay dialog (dark)');
        await target.keyboard.press('Escape');
        const trackingNumber = await target.locator('tbody tr').first().getAttribute('data-tracking-number');
        await target.goto(`${server.baseUrl}/events/${trackingNumber}`);
        await target.getByRole('button', { name: 'Resend…' }).click();
        await target.getByRole('radio', { name: /ledger/ }).waitFor();
        await screenshot(target, 'resend-dialog-dark');
        await expectAccessible(target, 'resend dialog (dark)');
      } finally {
        await dark.close();
      }
    },
  );

  test(
    'the whole filtered view is replayed, loaded rows or not: a count, live progress, cancel, then the rest',
    { timeout: 180_000 },
    async () => {
      await page.goto(`${server.baseUrl}/events?status=failed&type=order.*`);
      await page.locator('tbody tr').first().waitFor();
      // The page holds its first page only; the view has more.
      expect(await shownRows()).toBeLessThan(BULK);
      failing.reply({ status: 200 });

      await page.getByRole('button', { name: 'Replay failed…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Replay failed deliveries' });
      await dialog.locator(`[data-preview-count="${BULK}"]`).waitFor();
      await dialog.getByText('of every event this view matches, loaded or not').waitFor();
      await screenshot(page, 'replay-view-preview');
      await dialog.getByRole('button', { name: `Replay ${BULK}` }).click();

      // Progress arrives pushed, batch by batch; cancel stops it part of the way.
      const processed = dialog.getByTestId('replay-processed');
      await expect
        .poll(async () => Number((await processed.textContent())!.split(' of ')[0]), { timeout: 20_000 })
        .toBeGreaterThan(0);
      await screenshot(page, 'replay-view-progress');
      await expectAccessible(page, 'replay progress dialog');
      await dialog.getByRole('button', { name: 'Cancel replay' }).click();
      await dialog.locator('[data-replay-status="cancelled"]').waitFor();
      const taken = Number((await processed.textContent())!.split(' of ')[0]);
      expect(taken).toBeLessThan(BULK);
      await screenshot(page, 'replay-view-cancelled');
      await dialog.getByRole('button', { name: 'Done' }).click();

      // What the cancelled replay put back in line is delivered; a second replay takes the rest.
      await expect
        .poll(() => countEvents({ status: ['failed'], eventTypes: ['order.*'] }), { timeout: 30_000 })
        .toBe(BULK - taken);
      await page.getByRole('button', { name: 'Replay failed…' }).click();
      await dialog.locator(`[data-preview-count="${BULK - taken}"]`).waitFor();
      await dialog.getByRole('button', { name: `Replay ${BULK - taken}` }).click();
      await dialog.locator('[data-replay-status="finished"]').waitFor({ timeout: 60_000 });
      await expect
        .poll(() => countEvents({ status: ['delivered'], eventTypes: ['order.*'] }), { timeout: 30_000 })
        .toBe(BULK);
      await screenshot(page, 'replay-view-finished');
      await dialog.getByRole('button', { name: 'Done' }).click();
      // The rows on screen turn delivered, live (they stay until the view is read again, so nothing vanishes at once).
      await expect
        .poll(() => page.locator('tr[data-tracking-number][data-status="failed"]').count(), { timeout: 30_000 })
        .toBe(0);
    },
  );

  test('an event is resent to one endpoint picked from its mailbox; the new delivery appears live', async () => {
    const trackingNumber = await sendEvent({ event: 'order.created', data: { order_id: 'ORD-RESEND' } });
    await page.goto(`${server.baseUrl}/events/${trackingNumber}`);
    await page.locator('[data-attempt="1"]').first().waitFor();
    expect(other.requests).toHaveLength(0);
    await page.getByRole('button', { name: 'Resend…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Resend to one endpoint' });
    const ledger = dialog.getByRole('radio', { name: /ledger/ });
    await dialog.getByText('its filter would not take this event type; it gets it anyway').waitFor();
    await screenshot(page, 'resend-dialog');
    await expectAccessible(page, 'resend dialog');
    await ledger.check();
    await dialog.getByRole('button', { name: 'Resend' }).click();
    await page.getByText(`Resent to ${other.url}/ledger.`).waitFor();
    const [request] = await other.waitForRequests(1);
    expect(JSON.parse(request!.body.toString())).toEqual({ event: 'order.created', data: { order_id: 'ORD-RESEND' } });
    // A second delivery now, to the ledger, delivered.
    await page
      .locator(`section.delivery[data-status="delivered"][aria-label="Delivery to ${other.url}/ledger"]`)
      .waitFor();
    expect(await page.locator('section.delivery').count()).toBe(2);
    await screenshot(page, 'resend-delivered');
  });
});
