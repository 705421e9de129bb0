/**
 * Reads a list again from its top, page by page, until `wanted` rows or the end, and
 * hands them back as one page: what the events feed uses to repair the rows a reader
 * has loaded after the server skipped changes in a burst (a single page would leave
 * holes below it). `undefined` when a page fails or the caller no longer wants it.
 */
import type { FeedEdge, FeedPage } from './eventFeed.ts';

export type FetchPage<R> = (first: number, after: string | null) => Promise<FeedPage<R> | undefined>;

export async function fetchFromTop<R>(fetchPage: FetchPage<R>, wanted: number, pageSize: number): Promise<FeedPage<R> | undefined> {
  const edges: FeedEdge<R>[] = [];
  let pageInfo: FeedPage<R>['pageInfo'] = { hasNextPage: false, endCursor: null };
  do {
    const page = await fetchPage(Math.min(pageSize, wanted - edges.length), pageInfo.endCursor ?? null);
    if (!page) return undefined;
    edges.push(...page.edges);
    pageInfo = page.pageInfo;
  } while (pageInfo.hasNextPage && edges.length < wanted);
  return { edges, pageInfo };
}
