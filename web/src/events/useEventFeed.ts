/**
 * The live events list: the first page from a query, older pages on demand, and what
 * the two subscriptions push (new events, delivery changes that change an event's row),
 * coalesced by useLiveUpdates into one render per window and merged by the feed reducer. When the server says it
 * skipped changes (a burst bigger than a payload) or may have missed some (resync), or
 * the connection came back, the range the reader has loaded is fetched again from the
 * top down to its oldest row (page by page, up to REPAIR_MAX_ROWS), so a skipped event
 * inside it shows up rather than leaving a hole, and rows below that range still on their
 * way are read again by tracking number; those repairs are throttled so a sustained burst
 * costs a few queries every few seconds.
 */
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { useClient, useQuery } from 'urql';
import type { EventFilter, EventRowFieldsFragment } from '../generated/graphql.ts';
import { emptyFeed, feedReducer, MAX_ROWS, type FeedAction, type FeedState } from '../live/eventFeed.ts';
import { fetchFromTop } from '../live/fetchFromTop.ts';
import { liveSource } from '../live/liveSource.ts';
import { makeThrottle } from '../live/throttle.ts';
import { useLiveUpdates } from '../live/useLiveUpdates.ts';
import { EventRowsUpdatedSubscription, EventsPageQuery, EventsReceivedSubscription } from './eventDocuments.ts';
import { judgedOnServer, matchesFilter } from './eventFilterParams.ts';

export type EventRow = EventRowFieldsFragment;

/**
 * The more recent of two snapshots of one event: more attempts, or a later last
 * attempt; on a tie the one that arrived last. Snapshots come from two subscriptions
 * and a query, so they can arrive out of order.
 */
export function newerEventRow(a: EventRow, b: EventRow): EventRow {
  if (a.attemptCount !== b.attemptCount) return a.attemptCount > b.attemptCount ? a : b;
  if ((a.lastAttemptAt ?? '') !== (b.lastAttemptAt ?? ''))
    return (a.lastAttemptAt ?? '') > (b.lastAttemptAt ?? '') ? a : b;
  return b;
}

const PAGE_SIZE = 100;
/** The server's largest page. */
const MAX_PAGE_SIZE = 100;
/** A repair re-reads at most this many rows from the top (down to the oldest loaded row); rows below keep their last push. */
const REPAIR_MAX_ROWS = 500;
const REFETCH_AT_MOST_EVERY_MS = 3_000;
/** Unsettled rows below that range a repair reads again by tracking number. */
const REFRESH_MAX_ROWS = 500;

/** Whether an event's row can still change without anyone acting on it. */
const isSettled = (row: EventRow) => row.status !== 'queued' && row.status !== 'delivering';

const facts = (row: EventRow) => ({
  id: row.id,
  status: row.status,
  eventType: row.eventType,
  receivedAt: row.receivedAt,
  mailboxId: row.mailbox.id,
  endpointIds: row.deliveries.edges.map((edge) => edge.node.endpoint.id),
});

export interface EventFeed {
  state: FeedState<EventRow>;
  fetching: boolean;
  error: Error | undefined;
  loadingMore: boolean;
  loadMore(): void;
  showWaiting(): void;
  refetch(): void;
  /** Set while the reader is scrolled down: new events wait instead of shifting rows. */
  setPaused(paused: boolean): void;
}

export function useEventFeed(filter: EventFilter, filterKey: string): EventFeed {
  const client = useClient();
  const [state, dispatch] = useReducer(
    (current: FeedState<EventRow>, action: FeedAction<EventRow>) => feedReducer(current, action),
    undefined,
    () => emptyFeed<EventRow>(),
  );
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<Error | undefined>();
  const paused = useRef(false);
  const filterRef = useRef(filter);
  filterRef.current = filter;

  const variables = useMemo(() => ({ filter, first: PAGE_SIZE }), [filterKey]); // eslint-disable-line react-hooks/exhaustive-deps
  const [head, reexecute] = useQuery({ query: EventsPageQuery, variables, requestPolicy: 'cache-and-network' });

  useEffect(() => dispatch({ type: 'reset' }), [filterKey]);
  useEffect(() => {
    if (head.data && !head.stale) dispatch({ type: 'head', page: head.data.events, newer: newerEventRow });
  }, [head.data, head.stale]);

  const latestState = useRef(state);
  latestState.current = state;
  const filterKeyRef = useRef(filterKey);
  filterKeyRef.current = filterKey;

  /** Fetches the loaded range again from the top, page by page, as one head page. */
  const repair = useCallback(async () => {
    const key = filterKeyRef.current;
    const oldest = latestState.current.rows.at(-1)?.id;
    const page = await fetchFromTop<EventRow>(
      async (first, after) => {
        const result = await client
          .query(EventsPageQuery, { filter: filterRef.current, first, after }, { requestPolicy: 'network-only' })
          .toPromise();
        return result.data && filterKeyRef.current === key ? result.data.events : undefined;
      },
      { pageSize: MAX_PAGE_SIZE, maxRows: REPAIR_MAX_ROWS, reached: (row) => oldest === undefined || row.id <= oldest },
    );
    // A failed repair is retried by the next skip, resync or reconnect.
    if (!page || filterKeyRef.current !== key) return;
    // Rows below the range read again that were still on their way may have had their
    // last change skipped too: they are read again by tracking number, so no row is left
    // showing "delivering" for an event that was delivered long ago.
    const repairedDownTo = page.edges.at(-1)?.node.id;
    const unsettled = latestState.current.rows
      .filter((row) => repairedDownTo !== undefined && row.id < repairedDownTo && !isSettled(row))
      .slice(0, REFRESH_MAX_ROWS)
      .map((row) => row.id);
    dispatch({ type: 'head', page, newer: newerEventRow });
    for (let from = 0; from < unsettled.length; from += MAX_PAGE_SIZE) {
      const trackingNumbers = unsettled.slice(from, from + MAX_PAGE_SIZE);
      const result = await client
        .query(
          EventsPageQuery,
          { filter: { trackingNumbers }, first: MAX_PAGE_SIZE },
          { requestPolicy: 'network-only' },
        )
        .toPromise();
      if (!result.data || filterKeyRef.current !== key) return;
      dispatch({
        type: 'live',
        received: [],
        updated: result.data.events.edges.map((edge) => edge.node),
        paused: paused.current,
        matches: (row) => matchesFilter(facts(row), filterRef.current),
        newer: newerEventRow,
      });
    }
  }, [client]);

  // Repair the loaded rows, at most every few seconds; a call during a repair queues one more.
  const throttle = useMemo(() => makeThrottle(repair, REFETCH_AT_MOST_EVERY_MS), [repair]);
  useEffect(() => () => throttle.cancel(), [throttle]);
  const refetch = throttle.call;

  const mailboxId = filter.mailboxId ?? null;
  const live = useMemo(
    () => [
      liveSource(EventsReceivedSubscription, { mailboxId }, { received: (data) => data.eventReceived.events }),
      liveSource(
        EventRowsUpdatedSubscription,
        { mailboxId },
        { updated: (data) => data.deliveryUpdated.updates.map((update) => update.delivery.event) },
      ),
    ],
    [mailboxId],
  );
  useLiveUpdates<EventRow>(live, {
    newer: newerEventRow,
    onGap: refetch,
    onBatch: (batch) => {
      dispatch({
        type: 'live',
        ...batch,
        paused: paused.current,
        matches: (row) => matchesFilter(facts(row), filterRef.current),
        newer: newerEventRow,
      });
      // A change the page cannot judge against the filter: the server says what matches now.
      if (judgedOnServer(filterRef.current) && batch.received.length + batch.updated.length > 0) refetch();
    },
  });

  const loadMore = useCallback(() => {
    if (loadingMore || !state.hasNextPage || !state.endCursor || state.rows.length >= MAX_ROWS) return;
    setLoadingMore(true);
    setMoreError(undefined);
    void client
      .query(
        EventsPageQuery,
        { filter: filterRef.current, first: PAGE_SIZE, after: state.endCursor },
        { requestPolicy: 'network-only' },
      )
      .toPromise()
      .then((result) => {
        if (result.data) dispatch({ type: 'more', page: result.data.events, newer: newerEventRow });
        if (result.error) setMoreError(result.error);
        setLoadingMore(false);
      });
  }, [client, loadingMore, state.hasNextPage, state.endCursor, state.rows.length]);

  return {
    state,
    fetching: head.fetching && !state.loaded,
    error: head.error ?? moreError,
    loadingMore,
    loadMore,
    showWaiting: () => {
      dispatch({ type: 'showWaiting' });
      if (state.waitingOverflow > 0) refetch();
    },
    refetch: () => reexecute({ requestPolicy: 'network-only' }),
    setPaused: (value) => {
      paused.current = value;
    },
  };
}
