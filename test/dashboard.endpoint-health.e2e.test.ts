/**
 * The endpoint health page, the replay dialog and the alerts feed in a real browser (the
 * system Chromium) against a real Hookpost process and a receiver that fails on demand:
 * what an on-call operator sees when an endpoint goes down, and what they do about it.
 * Screenshots, light and dark, go to test/artifacts/endpoint-health/.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { seriousA11yViolations } from './support/axe.ts';
import { launchBrowser, screenshotOnFailure, type TestBrowser } from './support/browser.ts';
import { startDashboardServer, type DashboardServer } from './support/dashboardServer.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { gqlData } from './support/graphql.ts';
import { TEST_ADMIN_TOKEN } from './support/hookpost.ts';
import { startReceiver, type Receiver } from './support/receiver.ts';

const ARTIFACTS = path.resolve(import.meta.dirname, 'artifacts/endpoint-health');

let db: TestDatabase;
let server: DashboardServer;
let receiver: Receiver;
let browser: TestBrowser;
let page: Page;
let mailbox: { id: string; apiKey: string };
let endpointId: string;

const api = (query: string, variables: Record<string, unknown> = {}) =>
  gqlData({ baseUrl: server.baseUrl }, query, variables);

const ENDPOINT = `query($id: ID!) { endpoint(id: $id) {
  enabled pausedAt circuit { circuitState heldCount }
  deliveries(first: 100) { edges { node { status } } }
} }`;
const endpointState = async () => (await api(ENDPOINT, { id: endpointId })).endpoint;

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

async function signIn(target: Page, token = TEST_ADMIN_TOKEN) {
  await target.goto(`${server.baseUrl}/`);
  await target.getByLabel('Access token').fill(token);
  await target.getByRole('button', { name: 'Sign in' }).click();
  await target.locator('[data-connection="live"]').waitFor();
}

async function screenshot(target: Page, name: string) {
  await target.locator('[data-connection="live"]').waitFor({ timeout: 30_000 });
  await target.evaluate(() => document.fonts.ready);
  await target.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

const nav = (target: Page, name: string) =>
  target.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });
const healthUrl = () => `${server.baseUrl}/endpoints/${endpointId}`;

beforeAll(async () => {
  await fs.mkdir(ARTIFACTS, { recursive: true });
  db = await createTestDatabase();
  server = await startDashboardServer(db.url);
  receiver = await startReceiver({ status: 500, body: 'database is down' });

  const created = await api(
    `mutation($input: CreateMailboxInput!) { createMailbox(input: $input) { apiKey mailbox { id } } }`,
    { input: { name: 'Billing' } },
  );
  mailbox = { id: created.createMailbox.mailbox.id, apiKey: created.createMailbox.apiKey };
  const endpoint = await api(
    `mutation($m: ID!, $url: String!) { createEndpoint(input: {
       mailboxId: $m, url: $url, description: "invoices to the ledger",
       retryPolicy: { preset: production, maxAttempts: 1 } }) { endpoint { id } } }`,
    { m: mailbox.id, url: `${receiver.url}/ledger` },
  );
  endpointId = endpoint.createEndpoint.endpoint.id;
  // A small policy, so two failures open the circuit and it stays open for the whole file.
  await api(
    `mutation($id: ID!) { updateEndpoint(id: $id, input: { healthPolicy: { failureThreshold: 2, coolDownMs: 60000 } }) { id } }`,
    { id: endpointId },
  );

  browser = await launchBrowser({ colorScheme: 'light' });
  page = await browser.context.newPage();
  page.setDefaultTimeout(20_000);
  await signIn(page);
}, 180_000);

screenshotOnFailure(ARTIFACTS, 'failed-', () => page);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await receiver?.close();
  await db?.drop();
});

describe('endpoint health in a browser', () => {
  test('the health page opens from the mailbox and shows the circuit opening live, with its reason and the held deliveries', async () => {
    await page.goto(`${server.baseUrl}/mailboxes/${mailbox.id}`);
    await page.getByRole('link', { name: `Health of ${receiver.url}/ledger` }).click();
    await page.getByRole('heading', { name: 'Endpoint health' }).waitFor();
    await page.locator('[data-circuit-state="closed"]').waitFor();
    await expect.poll(() => page.title(), { timeout: 10_000 }).toBe(`Health of ${receiver.url}/ledger · Hookpost`);
    const marker = await page.evaluate(() => ((window as unknown as { marker: number }).marker = Math.random()));

    // Two failures in a row open it (each delivery has one attempt, so both are dead letters).
    await sendEvent({ event: 'invoice.created', data: { id: 1 } });
    await receiver.waitForRequests(1);
    await sendEvent({ event: 'invoice.created', data: { id: 2 } });
    await page.locator('[data-circuit-state="open"]').waitFor({ timeout: 10_000 });
    await expect(page.getByTestId('circuit-reason').textContent()).resolves.toMatch(/\S/);
    // While it is open, new deliveries wait instead of burning attempts.
    await sendEvent({ event: 'invoice.created', data: { id: 3 } });
    await sendEvent({ event: 'invoice.created', data: { id: 4 } });
    await expect.poll(() => page.getByTestId('held-count').textContent(), { timeout: 10_000 }).toBe('2');
    expect(receiver.requests).toHaveLength(2);
    // All of it without a reload.
    await expect(page.evaluate(() => (window as unknown as { marker: number }).marker)).resolves.toBe(marker);

    await page.locator('[data-error-kind="http_status"]').waitFor();
    await expect(page.locator('[data-error-kind="http_status"]').textContent()).resolves.toContain('500');
    await expect.poll(() => page.locator('[data-dead-letter]').count(), { timeout: 10_000 }).toBe(2);
    await expect(page.locator('[data-setting="Retries"]').textContent()).resolves.toContain('production preset');
    await expect(page.locator('[data-setting="Circuit opens"]').textContent()).resolves.toContain(
      'After 2 failures in a row',
    );
    // Each chart says in words what it shows.
    await page.locator('.recharts-surface').first().waitFor();
    await expect
      .poll(() => page.locator('figure.chart-card figcaption').first().textContent())
      .toContain('0% of 2 attempts succeeded');
    await screenshot(page, 'health-open-light');
    await expectAccessible(page, 'endpoint health (light)');
  });

  test('the replay dialog counts the failed deliveries as the filter changes, then replays them to the end', async () => {
    receiver.reply({ status: 200, body: 'ok' });
    await page.getByRole('button', { name: 'Replay failed deliveries' }).click();
    const dialog = page.getByRole('dialog', { name: 'Replay failed deliveries' });
    const count = dialog.locator('[data-preview-count]');
    await expect.poll(() => count.getAttribute('data-preview-count'), { timeout: 10_000 }).toBe('2');
    await dialog.getByLabel('HTTP statuses').fill('503');
    await expect.poll(() => count.getAttribute('data-preview-count'), { timeout: 10_000 }).toBe('0');
    expect(await dialog.getByRole('button', { name: /^Replay/ }).isDisabled()).toBe(true);
    await dialog.getByLabel('HTTP statuses').fill('500');
    await dialog.getByLabel('http_status').check();
    await expect.poll(() => count.getAttribute('data-preview-count'), { timeout: 10_000 }).toBe('2');
    await expect(dialog.getByTestId('replay-preview').textContent()).resolves.toContain('answered HTTP 500');
    await screenshot(page, 'replay-filter-light');
    await expectAccessible(page, 'replay dialog (light)');

    await dialog.getByRole('button', { name: 'Replay 2' }).click();
    await dialog.locator('[data-replay-status="finished"]').waitFor({ timeout: 15_000 });
    await expect(dialog.getByTestId('replay-processed').textContent()).resolves.toBe('2 of 2');
    await expect(dialog.getByTestId('replay-requeued').textContent()).resolves.toBe('2');
    await screenshot(page, 'replay-finished-light');
    await dialog.getByRole('button', { name: 'Done' }).click();
    // Put back in line behind an open circuit, they are held, not attempted.
    await expect.poll(() => page.getByTestId('held-count').textContent(), { timeout: 10_000 }).toBe('4');
    await expect.poll(() => page.locator('[data-dead-letter]').count(), { timeout: 10_000 }).toBe(0);
  });

  test('pause and resume ask first, then hold and release', async () => {
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    const ask = page.getByRole('dialog', { name: 'Pause this endpoint?' });
    await expect(ask.textContent()).resolves.toContain('held, not dropped');
    await ask.getByRole('button', { name: 'Keep it as it is' }).click();
    expect((await endpointState()).pausedAt).toBeNull();

    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await ask.getByRole('button', { name: 'Pause endpoint' }).click();
    await page.getByText('Endpoint paused: its deliveries are held.').waitFor();
    await page.getByRole('note').filter({ hasText: 'Paused' }).waitFor();
    await expect.poll(async () => (await endpointState()).pausedAt, { timeout: 10_000 }).not.toBeNull();
    await screenshot(page, 'health-paused-light');

    await page.getByRole('button', { name: 'Resume', exact: true }).click();
    const resume = page.getByRole('dialog', { name: 'Resume this endpoint?' });
    await expect(resume.textContent()).resolves.toContain('out oldest first');
    await resume.getByRole('button', { name: 'Resume endpoint' }).click();
    await page.getByRole('button', { name: 'Pause', exact: true }).waitFor();
    await expect.poll(async () => (await endpointState()).pausedAt, { timeout: 10_000 }).toBeNull();
  });

  test('disable, then enable with "deliver what it missed": the event sent meanwhile reaches the receiver', async () => {
    receiver.reply({ status: 200 });
    await page.getByRole('button', { name: 'Disable', exact: true }).click();
    await page
      .getByRole('dialog', { name: 'Disable this endpoint?' })
      .getByRole('button', { name: 'Disable endpoint' })
      .click();
    await expect.poll(async () => (await endpointState()).enabled, { timeout: 10_000 }).toBe(false);
    const before = receiver.requests.length;
    await sendEvent({ event: 'invoice.created', data: { id: 'missed' } });
    await page.getByRole('button', { name: 'Enable', exact: true }).click();
    const ask = page.getByRole('dialog', { name: 'Enable this endpoint?' });
    await expect(ask.getByLabel('Deliver the events it missed while disabled').isChecked()).resolves.toBe(true);
    await ask.getByRole('button', { name: 'Enable endpoint' }).click();
    await page.getByText('Endpoint enabled; what it missed is on its way.').waitFor();
    await expect
      .poll(() => receiver.requests.slice(before).some((r) => r.body.toString().includes('"missed"')), {
        timeout: 15_000,
      })
      .toBe(true);
  });

  test('the edit form sets a rate limit, a concurrency limit and ordering by key, and what it does not show survives', async () => {
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit endpoint' });
    await expect(dialog.getByLabel('Preset').inputValue()).resolves.toBe('production');
    await dialog.getByLabel('Rate limit (per second)').fill('5');
    await dialog.getByLabel('Max in flight').fill('2');
    await dialog.getByLabel('Ordered by key').check();
    await dialog.getByLabel(/^Key field/).fill('data.customer_id');
    await screenshot(page, 'endpoint-edit-light');
    await dialog.getByRole('button', { name: 'Save changes' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await expect
      .poll(() => page.locator('[data-setting="Rate limit"]').textContent())
      .toContain('5 deliveries a second');
    await expect(page.locator('[data-setting="Concurrency"]').textContent()).resolves.toContain('2 requests at a time');
    await expect(page.locator('[data-setting="Ordering"]').textContent()).resolves.toContain('data.customer_id');
    const { endpoint } = await api(
      `query($id: ID!) { endpoint(id: $id) { rateLimitPerSecond maxInFlight orderedByKey orderingKeyField retryPolicy { preset maxAttempts } healthPolicy { failureThreshold coolDownMs } } }`,
      { id: endpointId },
    );
    expect(endpoint).toEqual({
      rateLimitPerSecond: 5,
      maxInFlight: 2,
      orderedByKey: true,
      orderingKeyField: 'data.customer_id',
      retryPolicy: { preset: 'production', maxAttempts: 1 },
      healthPolicy: { failureThreshold: 2, coolDownMs: 60_000 },
    });
  });

  test('a viewer sees the switches and the replay disabled, with the reason', async () => {
    const { createAccessToken } = await api(
      `mutation { createAccessToken(name: "night shift", role: viewer) { token } }`,
    );
    const viewer = await launchBrowser();
    try {
      const viewerPage = await viewer.context.newPage();
      viewerPage.setDefaultTimeout(20_000);
      await signIn(viewerPage, createAccessToken.token);
      await viewerPage.goto(healthUrl());
      for (const name of ['Pause', 'Disable', 'Replay failed deliveries']) {
        const button = viewerPage.getByRole('button', { name, exact: true });
        await button.waitFor();
        expect(await button.isDisabled()).toBe(true);
        await expect(button.locator('..').getAttribute('title')).resolves.toContain('viewer role');
      }
      await viewerPage.getByText('this needs an operator token').first().waitFor();
    } finally {
      await viewer.close();
    }
  });

  test('the alerts page lists the circuit that opened, and new alerts arrive live', async () => {
    await nav(page, 'Alerts').click();
    await page.getByRole('heading', { name: 'Alerts' }).waitFor();
    const opened = page.locator('[data-alert="endpoint.circuit_opened"]');
    await opened.waitFor();
    await expect(opened.textContent()).resolves.toContain(`${receiver.url}/ledger`);
    await page.locator('[data-alert="delivery.exhausted"]').first().waitFor();
    await page.locator('[data-alert="replay.finished"]').first().waitFor({ timeout: 10_000 });
    await expect(page.getByTestId('alerts-webhook-hint').textContent()).resolves.toContain('add an endpoint to it');

    // Disabled and enabled again by an operator elsewhere: endpoint.enabled shows up without a reload.
    const enabledAlerts = page.locator('[data-alert="endpoint.enabled"]');
    const enabledBefore = await enabledAlerts.count();
    await api(`mutation($id: ID!) { disableEndpoint(id: $id) { id } }`, { id: endpointId });
    await api(`mutation($id: ID!) { enableEndpoint(id: $id) { id } }`, { id: endpointId });
    await expect.poll(() => enabledAlerts.count(), { timeout: 5_000 }).toBe(enabledBefore + 1);
    await expect(page.locator('tbody tr').first().getAttribute('data-alert')).resolves.toBe('endpoint.enabled');
    await screenshot(page, 'alerts-light');
    await expectAccessible(page, 'alerts (light)');

    // The endpoint link leads to its health page.
    await opened.getByRole('link', { name: `${receiver.url}/ledger` }).click();
    await page.getByRole('heading', { name: 'Endpoint health' }).waitFor();
  });

  test('dark mode: the health page and the alerts page', { timeout: 120_000 }, async () => {
    const dark = await launchBrowser({ colorScheme: 'dark' });
    try {
      const darkPage = await dark.context.newPage();
      darkPage.setDefaultTimeout(20_000);
      await signIn(darkPage);
      await darkPage.goto(healthUrl());
      await darkPage.locator('[data-circuit-state]').waitFor();
      await darkPage.locator('.recharts-surface').first().waitFor();
      await screenshot(darkPage, 'health-dark');
      await expectAccessible(darkPage, 'endpoint health (dark)');
      await darkPage.getByRole('button', { name: 'Replay failed deliveries' }).click();
      await darkPage
        .getByRole('dialog', { name: 'Replay failed deliveries' })
        .locator('[data-preview-count]')
        .waitFor();
      await screenshot(darkPage, 'replay-filter-dark');
      await expectAccessible(darkPage, 'replay dialog (dark)');
      await darkPage.goto(`${server.baseUrl}/alerts`);
      await darkPage.locator('[data-alert]').first().waitFor();
      await screenshot(darkPage, 'alerts-dark');
      await expectAccessible(darkPage, 'alerts (dark)');
    } finally {
      await dark.close();
    }
  });
});
