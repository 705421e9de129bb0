/**
 * The admin views in a real browser (the system Chromium) against a real Hookpost
 * process: an admin makes an access token, copies it, uses it, revokes it, and reads
 * all of it in the audit log; people without the admin role see neither view. Each
 * view is checked with axe and photographed, light and dark, in test/artifacts/dashboard/.
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

const ARTIFACTS = path.resolve(import.meta.dirname, 'artifacts/dashboard');

let db: TestDatabase;
let server: DashboardServer;
let browser: TestBrowser;
let page: Page;

async function expectAccessible(target: Page, view: string) {
  const findings = await seriousA11yViolations(target);
  if (findings.length) console.info(`axe on ${view}:`, JSON.stringify(findings, null, 2));
  expect(findings.map((finding) => `${view}: ${finding.id} (${finding.impact})`)).toEqual([]);
}

/** The elements that stick out past the right edge of the screen, outside scrolling tables and the sidebar. */
const widerThanScreen = (target: Page) =>
  target.evaluate(() => {
    if (document.documentElement.scrollWidth <= window.innerWidth) return [];
    return [...document.querySelectorAll('body *')]
      .filter(
        (element) =>
          element.getBoundingClientRect().right > window.innerWidth + 1 && !element.closest('.table-wrap, .sidebar'),
      )
      .slice(0, 5)
      .map((element) => `${element.tagName.toLowerCase()}.${element.className}`);
  });

const nav = (target: Page) => target.getByRole('navigation', { name: 'Main' });

async function signIn(target: Page, token = TEST_ADMIN_TOKEN) {
  await target.goto(`${server.baseUrl}/`);
  await target.getByLabel('Access token').fill(token);
  await target.getByRole('button', { name: 'Sign in' }).click();
  await target.locator('[data-connection="live"]').waitFor();
}

async function screenshot(target: Page, name: string) {
  await target.evaluate(() => document.fonts.ready);
  await target.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** The management API with a bearer token, as a tool would call it. */
const apiStatus = async (token: string) =>
  (await fetch(`${server.baseUrl}/api/mailboxes`, { headers: { authorization: `Bearer ${token}` } })).status;

beforeAll(async () => {
  await fs.mkdir(ARTIFACTS, { recursive: true });
  db = await createTestDatabase();
  server = await startDashboardServer(db.url);
  browser = await launchBrowser({ colorScheme: 'light' });
  // The copy button writes to the clipboard; the test reads it back.
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.baseUrl });
  page = await browser.context.newPage();
  page.setDefaultTimeout(20_000);
}, 180_000);

screenshotOnFailure(ARTIFACTS, 'failed-admin-', () => page);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await db?.drop();
});

describe('an admin', () => {
  test('creates a token, copies it, uses it, revokes it, and it stops working', async () => {
    await signIn(page);
    await nav(page).getByRole('link', { name: 'Access tokens' }).click();
    await page.getByRole('heading', { name: 'Access tokens', level: 1 }).waitFor();
    const own = page.locator('tr[data-token="HOOKPOST_ADMIN_TOKEN"]');
    await own.waitFor();
    // The token this session signed in with is marked, and offers no revoke.
    await expect(own.textContent()).resolves.toContain('you');
    expect(await own.getByRole('button', { name: /Revoke/ }).count()).toBe(0);

    await page.getByRole('button', { name: 'New access token' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('deploy bot');
    await dialog.getByRole('radio', { name: /operator/ }).check();
    await dialog.getByLabel('Expires').selectOption('30d');
    await screenshot(page, 'access-token-form-light');
    await expectAccessible(page, 'access token form (light)');
    await dialog.getByRole('button', { name: 'Create token' }).click();

    const shown = dialog.locator('[data-secret="Access token"]');
    const token = (await shown.textContent())!;
    expect(token).toMatch(/^hpt_/);
    await expect(dialog.textContent()).resolves.toContain('shown only this once');
    await dialog.getByRole('button', { name: 'Copy access token' }).click();
    await dialog.getByRole('button', { name: 'Copied', exact: true }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);
    await screenshot(page, 'access-token-created-light');
    await expectAccessible(page, 'access token shown once (light)');

    // The copied token works for the API, with its role.
    expect(await apiStatus(token)).toBe(200);

    await dialog.getByRole('button', { name: 'I have copied the token' }).click();
    const row = page.locator('tr[data-token="deploy bot"]');
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain('operator');
    await expect(row.textContent()).resolves.toContain(token.slice(0, 12));
    await expect(row.textContent()).resolves.toContain('HOOKPOST_ADMIN_TOKEN');
    // Used a moment ago by the API call above (the list is read again when the dialog closes).
    await screenshot(page, 'access-tokens-light');
    await expectAccessible(page, 'access tokens (light)');

    await row.getByRole('button', { name: 'Revoke deploy bot' }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke “deploy bot”?' });
    await expect(confirm.textContent()).resolves.toContain('cannot be undone');
    await screenshot(page, 'access-token-revoke-light');
    await confirm.getByRole('button', { name: 'Revoke token' }).click();
    await row.waitFor({ state: 'detached' });
    expect(await apiStatus(token)).toBe(401);

    // Revoked tokens stay listable, marked.
    // The box follows the URL (`revoked=1`), which the click changes: its state comes with
    // the navigation, a moment after the click, so Playwright's check() may not see it yet.
    await page.getByLabel('Show revoked tokens').click();
    await page.waitForURL(/revoked=1/);
    expect(await page.getByLabel('Show revoked tokens').isChecked()).toBe(true);
    await expect(page.locator('tr[data-token="deploy bot"]').textContent()).resolves.toContain('revoked');
    expect(page.url()).toContain('revoked=1');
  });

  test('reads those actions in the audit log, filters them, and the filter is in the URL', async () => {
    await nav(page).getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    const actions = page.locator('tr[data-audit-action]');
    await actions.first().waitFor();
    const listed = await actions.evaluateAll((rows) => rows.map((row) => row.getAttribute('data-audit-action')));
    // Newest first: the revocation, the creation, the sign-in.
    expect(listed.slice(0, 3)).toEqual(['access_token.revoke', 'access_token.create', 'session.sign_in']);
    const text = (await page.locator('tbody').textContent())!;
    expect(text).toContain('Revoked access token “deploy bot”');
    expect(text).toContain('Created access token “deploy bot” with the operator role');
    expect(text).toContain('HOOKPOST_ADMIN_TOKEN');
    expect(text).not.toMatch(/hpt_[A-Za-z0-9_-]{20}/);
    await screenshot(page, 'audit-log-light');
    await expectAccessible(page, 'audit log (light)');

    await page.getByLabel('Action').selectOption('access_token.create');
    await page.waitForURL(/action=access_token.create/);
    await page.locator('tr[data-audit-action="session.sign_in"]').waitFor({ state: 'detached' });
    expect(await actions.evaluateAll((rows) => rows.map((row) => row.getAttribute('data-audit-action')))).toEqual([
      'access_token.create',
    ]);
    await page.getByRole('button', { name: 'Last 24h' }).click();
    await page.waitForURL(/range=24h/);
    // A shared link opens the same view.
    await page.goto(page.url());
    await page.locator('tr[data-audit-action="access_token.create"]').waitFor();
    expect(await page.getByLabel('Action').inputValue()).toBe('access_token.create');
    await screenshot(page, 'audit-log-filtered-light');

    await page.getByLabel('Target type').selectOption('mailbox');
    await page.getByRole('heading', { name: 'No entries match' }).waitFor();
    await expectAccessible(page, 'audit log, nothing matches (light)');
    await page.getByRole('button', { name: 'Clear filters' }).click();
    await page.locator('tr[data-audit-action="session.sign_in"]').first().waitFor();

    // On a phone the page does not scroll sideways: only the table does, inside its frame.
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      for (const view of ['audit-log', 'access-tokens']) {
        await page.goto(`${server.baseUrl}/${view}`);
        await page.locator('tbody tr').first().waitFor();
        expect(await widerThanScreen(page)).toEqual([]);
        await screenshot(page, `${view}-phone-light`);
      }
    } finally {
      await page.setViewportSize({ width: 1280, height: 860 });
    }
  });

  test('both views in dark mode', async () => {
    const dark = await launchBrowser({ colorScheme: 'dark' });
    try {
      const darkPage = await dark.context.newPage();
      darkPage.setDefaultTimeout(20_000);
      await signIn(darkPage);
      await darkPage.goto(`${server.baseUrl}/access-tokens?revoked=1`);
      await darkPage.locator('tr[data-token="deploy bot"]').waitFor();
      await screenshot(darkPage, 'access-tokens-dark');
      await expectAccessible(darkPage, 'access tokens (dark)');
      await darkPage.getByRole('button', { name: 'New access token' }).click();
      await darkPage.getByRole('dialog').getByLabel('Name').fill('night bot');
      await darkPage.getByRole('dialog').getByRole('button', { name: 'Create token' }).click();
      await darkPage.getByRole('dialog').locator('[data-secret="Access token"]').waitFor();
      await screenshot(darkPage, 'access-token-created-dark');
      await expectAccessible(darkPage, 'access token shown once (dark)');
      await darkPage.goto(`${server.baseUrl}/audit-log`);
      await darkPage.locator('tr[data-audit-action]').first().waitFor();
      await screenshot(darkPage, 'audit-log-dark');
      await expectAccessible(darkPage, 'audit log (dark)');
    } finally {
      await dark.close();
    }
  });
});

describe('an operator', () => {
  test('sees no admin entries in the navigation and an "admins only" page at their URLs', async () => {
    const { createAccessToken } = await gqlData(
      { baseUrl: server.baseUrl },
      `mutation { createAccessToken(name: "on call", role: operator) { token } }`,
    );
    const other = await launchBrowser();
    try {
      const operatorPage = await other.context.newPage();
      operatorPage.setDefaultTimeout(20_000);
      await signIn(operatorPage, createAccessToken.token);
      await nav(operatorPage).getByRole('link', { name: 'Mailboxes' }).waitFor();
      expect(await nav(operatorPage).getByRole('link', { name: 'Access tokens' }).count()).toBe(0);
      expect(await nav(operatorPage).getByRole('link', { name: 'Audit log' }).count()).toBe(0);
      for (const view of ['access-tokens', 'audit-log']) {
        await operatorPage.goto(`${server.baseUrl}/${view}`);
        await operatorPage.getByRole('heading', { name: 'Admins only' }).waitFor();
        await expect(operatorPage.locator('main').textContent()).resolves.toContain('operator role');
        await expectAccessible(operatorPage, `${view}, admins only`);
      }
      await screenshot(operatorPage, 'audit-log-admins-only-light');
    } finally {
      await other.close();
    }
  });
});
