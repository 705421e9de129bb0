import { describe, expect, test } from 'vitest';
import { fetchFromTop, type FetchPage } from './fetchFromTop.ts';

/** A list of `total` rows, newest (largest id) first, served in pages the way the events query does. */
function list(total: number) {
  const rows = Array.from({ length: total }, (_, i) => ({ id: String(total - i).padStart(4, '0') }));
  const calls: Array<{ first: number; after: string | null }> = [];
  const fetchPage: FetchPage<{ id: string }> = async (first, after) => {
    calls.push({ first, after });
    const start = after === null ? 0 : rows.findIndex((row) => row.id === after) + 1;
    const slice = rows.slice(start, start + first);
    return {
      edges: slice.map((node) => ({ cursor: node.id, node })),
      pageInfo: { hasNextPage: start + first < rows.length, endCursor: slice.at(-1)?.id ?? null },
    };
  };
  return { rows, calls, fetchPage };
}

const until = (oldest: string) => (row: { id: string }) => row.id <= oldest;

describe('reading a list again from the top', () => {
  test('pages on down to the oldest row the reader has, without gaps or repeats', async () => {
    const { rows, calls, fetchPage } = list(1000);
    // The reader has the newest rows down to 0751 (the 250th), with holes in between.
    const page = await fetchFromTop(fetchPage, { pageSize: 100, maxRows: 500, reached: until('0751') });
    expect(page!.edges.map((edge) => edge.node.id)).toEqual(rows.slice(0, 300).map((row) => row.id));
    expect(calls.map((call) => call.first)).toEqual([100, 100, 100]);
    expect(page!.pageInfo).toEqual({ hasNextPage: true, endCursor: rows[299]!.id });
  });

  test('stops at the end of a short list and says there is no more', async () => {
    const { calls, fetchPage } = list(30);
    const page = await fetchFromTop(fetchPage, { pageSize: 100, maxRows: 500, reached: until('0001') });
    expect(page!.edges).toHaveLength(30);
    expect(page!.pageInfo.hasNextPage).toBe(false);
    expect(calls).toHaveLength(1);
  });

  test('reads no more than maxRows, however far down the oldest row is', async () => {
    const { calls, fetchPage } = list(1000);
    const page = await fetchFromTop(fetchPage, { pageSize: 100, maxRows: 250, reached: until('0001') });
    expect(page!.edges).toHaveLength(250);
    expect(calls.map((call) => call.first)).toEqual([100, 100, 50]);
  });

  test('a failed page gives nothing rather than a partial range', async () => {
    const { fetchPage } = list(500);
    let calls = 0;
    const page = await fetchFromTop(
      (first, after) => (++calls === 2 ? Promise.resolve(undefined) : fetchPage(first, after)),
      { pageSize: 100, maxRows: 500, reached: until('0001') },
    );
    expect(page).toBeUndefined();
  });
});
