/**
 * Reads a list again from its top, page by page, down to a row the caller already has
 * (or the end, or `maxRows`), and hands the rows back as one page: what the events feed
 * uses to repair the range a reader has loaded after the server skipped changes in a
 * burst. A single first page would leave holes below it; counting rows would too, since
 * the skipped rows are exactly the ones the reader does not have. `undefined` when a page
 * fails or the caller no longer wants it.
 */
import type { FeedEdge, FeedPage } from './eventFeed.ts';

export type FetchPage<R> = (first: number, after: string | null) => Promise<FeedPage<R> | undefined>;

export interface FetchFromTopOptions<R> {
  pageSize: number;
  maxRows: number;
  /** True for the row the range ends at (the oldest one loaded); reading stops after its page. */
  reached(row: R): boolean;
}

export async function fetchFromTop<R>(
  fetchPage: FetchPage<R>,
  options: FetchFromTopOptions<R>,
): Promise<FeedPage<R> | undefined> {
  const edges: FeedEdge<R>[] = [];
  let pageInfo: FeedPage<R>['pageInfo'] = { hasNextPage: false, endCursor: null };
  let reached: boolean;
  do {
    const page = await fetchPage(
      Math.min(options.pageSize, options.maxRows - edges.length),
      pageInfo.endCursor ?? null,
    );
    if (!page) return undefined;
    edges.push(...page.edges);
    pageInfo = page.pageInfo;
    reached = page.edges.some((edge) => options.reached(edge.node));
  } while (!reached && pageInfo.hasNextPage && edges.length < options.maxRows);
  return { edges, pageInfo };
}
