import { describe, expect, test } from 'vitest';
import { emptyFeed, feedReducer, type FeedState } from './eventFeed.ts';

interface Row {
  id: string;
  status: string;
  attempts: number;
}

const row = (id: string, status = 'queued', attempts = 0): Row => ({ id, status, attempts });
const page = (rows: Row[], hasNextPage = false) => ({
  edges: rows.map((node) => ({ cursor: `c-${node.id}`, node })),
  pageInfo: { hasNextPage, endCursor: rows.length ? `c-${rows[rows.length - 1]!.id}` : null },
});
const newer = (a: Row, b: Row) => (a.attempts > b.attempts ? a : b);
const live = (
  state: FeedState<Row>,
  received: Row[],
  updated: Row[] = [],
  options: { paused?: boolean; matches?: (r: Row) => boolean } = {},
) =>
  feedReducer(state, {
    type: 'live',
    received,
    updated,
    paused: options.paused ?? false,
    matches: options.matches ?? (() => true),
    newer,
  });
const ids = (state: FeedState<Row>) => state.rows.map((r) => r.id);

describe('the events feed', () => {
  test('a pushed new event goes on top, in tracking-number order, once', () => {
    let state = feedReducer(emptyFeed<Row>(), { type: 'head', page: page([row('05'), row('03')]) });
    state = live(state, [row('07'), row('06'), row('05')]);
    expect(ids(state)).toEqual(['07', '06', '05', '03']);
  });

  test('an update that overtakes its "new event" push is kept, not overwritten by the older snapshot', () => {
    let state = feedReducer(emptyFeed<Row>(), { type: 'head', page: page([row('01')]) });
    state = live(state, [], [row('02', 'delivered', 1)]);
    state = live(state, [row('02', 'queued', 0)]);
    expect(state.rows[0]).toEqual(row('02', 'delivered', 1));
  });

  test('updates replace the rows they name; events the filter does not show stay out', () => {
    let state = feedReducer(emptyFeed<Row>(), { type: 'head', page: page([row('02'), row('01')]) });
    state = live(state, [row('03', 'queued')], [row('01', 'failed', 3)], { matches: (r) => r.status !== 'queued' });
    expect(state.rows).toEqual([row('02'), row('01', 'failed', 3)]);
  });

  test('while the reader is scrolled down, new events wait and are counted; showing them puts them on top', () => {
    let state = feedReducer(emptyFeed<Row>(), { type: 'head', page: page([row('01')]) });
    state = live(state, [row('02'), row('03')], [], { paused: true });
    expect(ids(state)).toEqual(['01']);
    expect(state.waiting.map((r) => r.id)).toEqual(['03', '02']);
    state = feedReducer(state, { type: 'showWaiting' });
    expect(ids(state)).toEqual(['03', '02', '01']);
    expect(state.waiting).toEqual([]);
  });

  test('a refetched first page keeps rows pushed since and older pages below it', () => {
    let state = feedReducer(emptyFeed<Row>(), { type: 'head', page: page([row('05'), row('04')], true) });
    state = feedReducer(state, { type: 'more', page: page([row('03'), row('02')], true) });
    state = live(state, [row('09')]);
    state = feedReducer(state, { type: 'head', page: page([row('08'), row('05', 'delivered', 1)], true) });
    expect(ids(state)).toEqual(['09', '08', '05', '04', '03', '02']);
    expect(state.endCursor).toBe('c-02');
  });

  test('a refetched page that read the database before a push does not undo it', () => {
    let state = feedReducer(emptyFeed<Row>(), { type: 'head', page: page([row('05'), row('04')]), newer });
    // The refetch starts; meanwhile 05 is delivered and pushed.
    state = live(state, [], [row('05', 'delivered', 1)]);
    // The refetch answers with what it read before that: 05 still queued, 04 now delivered.
    state = feedReducer(state, {
      type: 'head',
      page: page([row('05', 'queued', 0), row('04', 'delivered', 1)]),
      newer,
    });
    expect(state.rows).toEqual([row('05', 'delivered', 1), row('04', 'delivered', 1)]);
  });

  test('a pushed event a refetched page missed (it committed just after the page was read) stays', () => {
    let state = feedReducer(emptyFeed<Row>(), { type: 'head', page: page([row('05'), row('03')]), newer });
    state = live(state, [row('07'), row('06')]);
    // 06 was accepted before 07 but committed after the refetch read the database.
    state = feedReducer(state, { type: 'head', page: page([row('07'), row('05'), row('03')]), newer });
    expect(ids(state)).toEqual(['07', '06', '05', '03']);
  });

  test('a fetched event a refetched page no longer lists (it stopped matching) goes', () => {
    let state = feedReducer(emptyFeed<Row>(), { type: 'head', page: page([row('05'), row('04'), row('03')]), newer });
    state = feedReducer(state, { type: 'head', page: page([row('05'), row('03')]), newer });
    expect(ids(state)).toEqual(['05', '03']);
  });

  test('an update for an event below the loaded pages does not jump into the list', () => {
    let state = feedReducer(emptyFeed<Row>(), { type: 'head', page: page([row('05'), row('04')], true) });
    state = live(state, [], [row('01', 'failed', 3)]);
    expect(ids(state)).toEqual(['05', '04']);
  });

  test('past the cap the oldest rows go, and paging continues from the last kept fetched row', () => {
    let state = feedReducer(emptyFeed<Row>(), { type: 'head', page: page([row('03'), row('02'), row('01')]) });
    state = feedReducer(
      state,
      { type: 'live', received: [row('05'), row('04')], updated: [], paused: false, matches: () => true, newer },
      3,
    );
    expect(ids(state)).toEqual(['05', '04', '03']);
    expect(state.endCursor).toBe('c-03');
    expect(state.hasNextPage).toBe(true);
  });
});

describe('the events feed at its cap', () => {
  test('paging older rows in stops at the cap: scrolling back cannot grow the list without bound', () => {
    let state = feedReducer(emptyFeed<Row>(), { type: 'head', page: page([row('09'), row('08')], true) }, 3);
    state = feedReducer(state, { type: 'more', page: page([row('07'), row('06')], true) }, 3);
    expect(ids(state)).toEqual(['09', '08', '07', '06']);
    state = feedReducer(state, { type: 'more', page: page([row('05'), row('04')], true) }, 3);
    expect(ids(state)).toEqual(['09', '08', '07', '06']);
  });
});
