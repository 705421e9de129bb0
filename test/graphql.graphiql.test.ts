/**
 * GraphiQL at /graphql for browsers, self-contained: the page loads no script, style or
 * worker from another origin (installations may have no internet access), and a real
 * headless Chromium renders it with every outside request blocked. HOOKPOST_GRAPHIQL
 * turns it off, and with it introspection without a token.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { launchBrowser } from './support/browser.ts';
import { errorCodes, gql } from './support/graphql.ts';
import { startTestHookpost, TEST_ADMIN_TOKEN, type TestHookpost } from './support/hookpost.ts';
import { useHookpost } from './support/hooks.ts';

const { db, hookpost } = useHookpost({ role: 'api' });

describe('GraphiQL', () => {
  test('a browser asking for /graphql gets GraphiQL with everything inlined', async () => {
    const response = await fetch(`${hookpost.baseUrl}/graphql`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    const html = await response.text();
    expect(html).toContain('Hookpost GraphQL');
    expect(html).not.toMatch(/<script[^>]+src=["']?https?:/i);
    expect(html).not.toMatch(/<link[^>]+href=["']?https?:/i);
    expect(html).not.toMatch(/unpkg\.com|jsdelivr|cdnjs/);
  });

  test('renders and runs a query in Chromium with outside requests blocked', async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.context.newPage();
      const outside: string[] = [];
      const origin = new URL(hookpost.baseUrl).origin;
      await page.route('**/*', (route) => {
        const url = route.request().url();
        if (url.startsWith(origin) || url.startsWith('blob:') || url.startsWith('data:')) return route.continue();
        outside.push(url);
        return route.abort();
      });
      await page.goto(`${hookpost.baseUrl}/graphql`);
      await page.waitForSelector('.graphiql-container', { timeout: 50_000 });
      // Run a query through GraphiQL's own fetcher, with the token in its headers.
      const result = await page.evaluate(async (token) => {
        const response = await fetch('/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: '{ me { role } }' }),
        });
        return response.json();
      }, TEST_ADMIN_TOKEN);
      expect(result).toEqual({ data: { me: { role: 'admin' } } });
      expect(outside).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});

describe('with HOOKPOST_GRAPHIQL off (the default when not listening on loopback)', () => {
  let closed: TestHookpost;

  beforeAll(async () => {
    closed = await startTestHookpost(db.url, { role: 'api', graphiql: false });
  });

  afterAll(async () => {
    await closed?.stop();
  });

  test('a browser asking for /graphql gets no GraphiQL page', async () => {
    const response = await fetch(`${closed.baseUrl}/graphql`, { headers: { accept: 'text/html' } });
    expect(response.headers.get('content-type')).not.toMatch(/text\/html/);
    expect(await response.text()).not.toContain('graphiql');
  });

  test('introspection needs a token; __typename does not', async () => {
    const introspect = '{ __schema { queryType { name } } }';
    expect(errorCodes(await gql(closed, introspect, {}, { token: null }))).toEqual(['unauthenticated']);
    expect(errorCodes(await gql(closed, '{ __type(name: "Query") { name } }', {}, { token: null }))).toEqual([
      'unauthenticated',
    ]);
    expect(await gql(closed, introspect, {}, { token: TEST_ADMIN_TOKEN })).toEqual({
      data: { __schema: { queryType: { name: 'Query' } } },
    });
    expect(await gql(closed, '{ __typename }', {}, { token: null })).toEqual({ data: { __typename: 'Query' } });
    // Where GraphiQL is on, the schema stays readable without a token.
    expect(await gql(hookpost, introspect, {}, { token: null })).toEqual({
      data: { __schema: { queryType: { name: 'Query' } } },
    });
  });
});
