/**
 * Every item of a REST list, page after page (following `x-next-cursor`), for tests
 * that count or search what the API lists. `pathname` may carry the list's filters.
 */
import type { TestHookpost } from './hookpost.ts';

export async function listAll<T>(hookpost: Pick<TestHookpost, 'api'>, pathname: string): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const url = new URL(pathname, 'http://placeholder');
    if (cursor) url.searchParams.set('cursor', cursor);
    const page = `${url.pathname}${url.search}`;
    const response = await hookpost.api(page);
    if (response.status !== 200) throw new Error(`GET ${page} answered ${response.status}: ${await response.text()}`);
    items.push(...((await response.json()) as T[]));
    cursor = response.headers.get('x-next-cursor');
  } while (cursor);
  return items;
}
