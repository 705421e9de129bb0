/**
 * The events list as the page holds it: fetched pages plus what was pushed since,
 * newest first. Tracking numbers are time-ordered UUIDs, so "newest first" is "largest
 * id first" and pushed events slot in by id. Pure, so it is tested without a browser.
 *
 * - A head page (the first page, fetched again after a reconnect or a burst) is the
 *   truth for its id range; rows loaded above it (pushed since) and below it (older
 *   pages) stay. A fetched row never replaces a newer version of itself that was pushed
 *   while the query ran (the query may have read the database before that change), and
 *   a pushed row the page lacks stays too: ids are made when an event is accepted, commits
 *   land in another order, so a page can miss an event that committed just after it read.
 * - Pushed new events go on top, unless the reader has scrolled down: then they wait,
 *   counted, until "show new events", so rows never jump under the pointer.
 * - Pushed updates replace the rows they name, wherever they are, when they are newer
 *   (two subscriptions race: a delivery update can overtake the "new event" push). An
 *   update for a row not shown yet is a row that now matches: it goes in like a new one
 *   (a "failed" view shows events as they fail).
 * - The list is capped: past `maxRows`, the oldest rows go and are paged in again on
 *   demand; paging older rows in stops at the cap (`full`), so scrolling back cannot grow
 *   it without bound.
 */
export interface FeedRow {
  id: string;
}

export interface FeedEdge<R> {
  cursor: string;
  node: R;
}

export interface FeedPage<R> {
  edges: FeedEdge<R>[];
  pageInfo: { hasNextPage: boolean; endCursor?: string | null };
}

export interface FeedState<R extends FeedRow> {
  rows: R[];
  /** Cursors of the fetched rows (pushed rows have none until a refetch). */
  cursors: Record<string, string>;
  endCursor: string | null;
  hasNextPage: boolean;
  /** Whether a head page has arrived for the current filter. */
  loaded: boolean;
  /** New events held back while the reader is scrolled down. */
  waiting: R[];
  /** New events held back beyond what `waiting` keeps (a burst): a refetch shows them. */
  waitingOverflow: number;
}

export type FeedAction<R extends FeedRow> =
  | { type: 'reset' }
  | { type: 'head'; page: FeedPage<R>; newer?: (a: R, b: R) => R }
  | { type: 'more'; page: FeedPage<R>; newer?: (a: R, b: R) => R }
  | { type: 'live'; received: R[]; updated: R[]; paused: boolean; matches(row: R): boolean; newer(a: R, b: R): R }
  | { type: 'showWaiting' };

/** The most rows the list holds: the table is virtualized, so this bounds memory, not the DOM. */
export const MAX_ROWS = 10_000;
const MAX_WAITING = 200;

export function emptyFeed<R extends FeedRow>(): FeedState<R> {
  return { rows: [], cursors: {}, endCursor: null, hasNextPage: false, loaded: false, waiting: [], waitingOverflow: 0 };
}

const newestFirst = (a: FeedRow, b: FeedRow) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/** The page's rows, each replaced by the version already held when that one is newer (`newer(held, fetched)`). */
function freshest<R extends FeedRow>(state: FeedState<R>, page: FeedPage<R>, newer?: (a: R, b: R) => R): R[] {
  const rows = page.edges.map((edge) => edge.node);
  if (!newer) return rows;
  const held = new Map(state.rows.map((row) => [row.id, row]));
  return rows.map((row) => (held.has(row.id) ? newer(held.get(row.id)!, row) : row));
}

function withCursors<R extends FeedRow>(cursors: Record<string, string>, page: FeedPage<R>): Record<string, string> {
  const next = { ...cursors };
  for (const edge of page.edges) next[edge.node.id] = edge.cursor;
  return next;
}

/** Keeps at most `maxRows`, cutting at a fetched row so paging on continues from its cursor. */
function capped<R extends FeedRow>(state: FeedState<R>, maxRows: number): FeedState<R> {
  if (state.rows.length <= maxRows) return state;
  let cut = maxRows;
  while (cut > 0 && !state.cursors[state.rows[cut - 1]!.id]) cut -= 1;
  if (cut === 0) return state; // Only pushed rows so far: a refetch will bring cursors.
  const rows = state.rows.slice(0, cut);
  const cursors: Record<string, string> = {};
  for (const row of rows) if (state.cursors[row.id]) cursors[row.id] = state.cursors[row.id]!;
  return { ...state, rows, cursors, endCursor: state.cursors[rows[cut - 1]!.id]!, hasNextPage: true };
}

export function feedReducer<R extends FeedRow>(
  state: FeedState<R>,
  action: FeedAction<R>,
  maxRows = MAX_ROWS,
): FeedState<R> {
  switch (action.type) {
    case 'reset':
      return emptyFeed();
    case 'head': {
      const head = freshest(state, action.page, action.newer);
      if (head.length === 0) return { ...emptyFeed<R>(), loaded: true };
      const newest = head[0]!.id;
      const oldest = head[head.length - 1]!.id;
      const above = state.rows.filter((row) => row.id > newest);
      // Pushed rows (no cursor yet) inside the page's range that the page did not see.
      const inHead = new Set(head.map((row) => row.id));
      const unseen = state.rows.filter(
        (row) => row.id <= newest && row.id >= oldest && !inHead.has(row.id) && !state.cursors[row.id],
      );
      // Older pages stay only when the head page says there is more below it.
      const below = action.page.pageInfo.hasNextPage ? state.rows.filter((row) => row.id < oldest) : [];
      const keepsOlder = below.length > 0;
      return capped(
        {
          ...state,
          rows: [...above, ...(unseen.length ? [...head, ...unseen].sort(newestFirst) : head), ...below],
          cursors: withCursors(state.cursors, action.page),
          endCursor: keepsOlder ? state.endCursor : (action.page.pageInfo.endCursor ?? null),
          hasNextPage: keepsOlder ? state.hasNextPage : action.page.pageInfo.hasNextPage,
          loaded: true,
        },
        maxRows,
      );
    }
    case 'more': {
      if (state.rows.length >= maxRows) return state;
      const known = new Set(state.rows.map((row) => row.id));
      return {
        ...state,
        rows: [...state.rows, ...freshest(state, action.page, action.newer).filter((row) => !known.has(row.id))],
        cursors: withCursors(state.cursors, action.page),
        endCursor: action.page.pageInfo.endCursor ?? state.endCursor,
        hasNextPage: action.page.pageInfo.hasNextPage,
      };
    }
    case 'live': {
      const incoming = new Map<string, R>();
      for (const row of [...action.received, ...action.updated]) {
        const seen = incoming.get(row.id);
        incoming.set(row.id, seen ? action.newer(seen, row) : row);
      }
      const patch = (rows: R[]) =>
        rows.map((row) => (incoming.has(row.id) ? action.newer(row, incoming.get(row.id)!) : row));
      const rows = incoming.size === 0 ? state.rows : patch(state.rows);
      const waiting = incoming.size === 0 ? state.waiting : patch(state.waiting);
      const known = new Set([...rows, ...waiting].map((row) => row.id));
      // Below the last loaded row a new row would sit among pages not loaded yet.
      const oldestLoaded = state.hasNextPage ? state.rows[state.rows.length - 1]?.id : undefined;
      const fresh = [...incoming.values()].filter(
        (row) => !known.has(row.id) && (oldestLoaded === undefined || row.id > oldestLoaded) && action.matches(row),
      );
      if (action.paused) {
        const all = [...fresh, ...waiting].sort(newestFirst);
        return {
          ...state,
          rows,
          waiting: all.slice(0, MAX_WAITING),
          waitingOverflow: state.waitingOverflow + Math.max(0, all.length - MAX_WAITING),
        };
      }
      const merged =
        fresh.length === 0 && waiting.length === 0 ? rows : [...fresh, ...waiting, ...rows].sort(newestFirst);
      return capped({ ...state, rows: merged, waiting: [], waitingOverflow: 0 }, maxRows);
    }
    case 'showWaiting':
      return capped(
        { ...state, rows: [...state.waiting, ...state.rows].sort(newestFirst), waiting: [], waitingOverflow: 0 },
        maxRows,
      );
  }
}
