/**
 * Security headers: every response has `nosniff`; every page a strict Content-Security-
 * Policy (no inline script but GraphiQL's own, by hash; no eval; nothing framed),
 * `X-Frame-Options: DENY` and `Referrer-Policy: no-referrer`; HSTS only over TLS. And
 * every page works under its policy: the dashboard (each view), Swagger UI, ReDoc and
 * GraphiQL render in Chromium with no CSP violation at all.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launchBrowser, type TestBrowser } from './support/browser.ts';
import { createMailbox, sendEvent, TEST_ADMIN_TOKEN } from './support/hookpost.ts';
import { useHookpost, useReceiver } from './support/hooks.ts';

const { hookpost } = useHookpost({ trustProxy: ['127.0.0.1', '::1'] });
const receiver = useReceiver();
let browser: TestBrowser;

beforeAll(async () => {
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

const pages = ['/', '/events', '/mailboxes', '/docs/', '/redoc', '/graphql'];

describe('headers', () => {
  test.each(pages)('%s is a page with a strict policy', async (path) => {
    const response = await fetch(`${hookpost.baseUrl}${path}`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = response.headers.get('content-security-policy') ?? '';
    const directive = (name: string) => new RegExp(`(^|;)\\s*${name} ([^;]*)`).exec(csp)?.[2] ?? null;
    expect(directive('default-src')).toBe("'self'");
    expect(directive('script-src')).not.toMatch(/unsafe-inline|unsafe-eval|\*|https?:/);
    expect(directive('script-src-attr')).toBe("'none'");
    expect(directive('object-src')).toBe("'none'");
    expect(directive('frame-ancestors')).toBe("'none'");
    expect(directive('base-uri')).toBe("'none'");
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('strict-transport-security')).toBeNull();
  });

  test.each([
    ['GET', '/api/mailboxes'],
    ['GET', '/openapi.json'],
    ['GET', '/healthz'],
    ['GET', '/redoc/redoc.standalone.js'],
    ['POST', '/webhooks/00000000-0000-7000-8000-000000000000'],
    ['GET', '/nowhere'],
  ])('%s %s says nosniff', async (method, path) => {
    const response = await hookpost.api(path, {
      method,
      headers: { 'content-type': 'application/json' },
      body: method === 'POST' ? '{}' : undefined,
    });
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  test('HSTS only on requests that came over TLS (here: through a trusted proxy)', async () => {
    const overTls = await fetch(`${hookpost.baseUrl}/`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(overTls.headers.get('strict-transport-security')).toMatch(/^max-age=\d{7,}/);
    const plain = await fetch(`${hookpost.baseUrl}/`);
    expect(plain.headers.get('strict-transport-security')).toBeNull();
  });
});

/** Opens a page and collects every CSP violation it reports, from the first script on. */
async function openCounting(path: string): Promise<{ page: Page; violations: string[] }> {
  const page = await browser.context.newPage();
  const violations: string[] = [];
  await page.exposeFunction('reportCspViolation', (text: string) => violations.push(text));
  // Runs before the page's own scripts, outside its policy.
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      (window as unknown as { reportCspViolation(text: string): void }).reportCspViolation(
        `${event.effectiveDirective} blocked ${event.blockedURI || 'inline'} (${event.sourceFile}:${event.lineNumber})`,
      );
    });
  });
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  await page.goto(`${hookpost.baseUrl}${path}`);
  return { page, violations };
}

describe('every page works under its policy in Chromium', () => {
  let trackingNumber: string;
  let mailboxId: string;

  beforeAll(async () => {
    const mailbox = await createMailbox(hookpost, { name: 'CSP', target_url: `${receiver.url}/csp` });
    mailboxId = mailbox.id;
    trackingNumber = (await (await sendEvent(hookpost, mailbox, { event: 'csp.checked' })).json()).tracking_number;
    // Sign the browser in once; the dashboard's pages below use the session.
    const { page } = await openCounting('/');
    await page.getByLabel('Access token').fill(TEST_ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('[data-connection="live"]').waitFor({ timeout: 30_000 });
    await page.close();
  });

  const dashboardViews = () => [
    ['/', 'the overview'],
    ['/events', 'the events'],
    [`/events/${trackingNumber}`, 'an event'],
    ['/mailboxes', 'the mailboxes'],
    [`/mailboxes/${mailboxId}`, 'a mailbox'],
  ];

  test('the dashboard: each view renders live (WebSocket included) with no violation', async () => {
    for (const [path, name] of dashboardViews()) {
      const { page, violations } = await openCounting(path!);
      await page.locator('[data-connection="live"]').waitFor({ timeout: 30_000 });
      // Rendered: the view shows something beyond its loading state.
      await page.locator('main').filter({ hasText: /\S/ }).waitFor();
      await page.locator('main [aria-busy="true"]').waitFor({ state: 'detached' });
      await page.evaluate(() => document.fonts.ready);
      expect(violations, name).toEqual([]);
      await page.close();
    }
  });

  test('Swagger UI renders the operations', async () => {
    const { page, violations } = await openCounting('/docs/');
    await page.locator('.opblock').first().waitFor({ timeout: 30_000 });
    await page.locator('.opblock-summary').first().click();
    await page.locator('.opblock-body').first().waitFor();
    expect(violations).toEqual([]);
    await page.close();
  });

  test('ReDoc renders the reference and searches it', async () => {
    const { page, violations } = await openCounting('/redoc');
    await page.getByRole('heading', { name: 'Send an event to a mailbox' }).waitFor({ timeout: 30_000 });
    // The search index is built in a blob worker.
    await page.getByPlaceholder('Search...').fill('rotate');
    await page
      .locator('[data-role="search:results"]')
      .getByText(/Rotate/)
      .first()
      .waitFor({ timeout: 30_000 });
    expect(violations).toEqual([]);
    await page.close();
  });

  test('GraphiQL renders, with its editor, and runs a query with the session', async () => {
    const { page, violations } = await openCounting('/graphql');
    await page.waitForSelector('.graphiql-container', { timeout: 50_000 });
    await page.locator('.graphiql-editor').first().waitFor();
    const result = await page.evaluate(async () => {
      const response = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ me { role } }' }),
      });
      return response.json();
    });
    expect(result).toEqual({ data: { me: { role: 'admin' } } });
    expect(violations).toEqual([]);
    await page.close();
  });
});
