/**
 * The live events list: the first page from a query, older pages on demand, and what
 * the two subscriptions push (new events, delivery changes that change an event's row),
 * coalesced by a LiveBuffer into one render per window. When the server says it
 * skipped changes (a burst bigger than a payload) or may have missed some (resync), or
 * the connection came back, the first page is fetched again; those refetches are
 * throttled so a sustained burst costs one query every few seconds.
 */
import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { useClient, useQuery } from 'urql';
import type { EventFilter, EventRowFieldsFragment } from '../generated/graphql.ts';
import { useConnection } from '../graphql/LiveProvider.tsx';
import { emptyFeed, feedReducer, type FeedAction, type FeedState } from '../live/eventFeed.ts';
import { makeLiveBuffer } from '../live/liveBuffer.ts';
import { subscribeForever } from '../graphql/subscribeForever.ts';
import { EventRowsUpdatedSubscription, EventsPageQuery, EventsReceivedSubscription } from './eventDocuments.ts';
import { matchesFilter } from './eventFilterParams.ts';

export type EventRow = EventRowFieldsFragment;

/**
 * The more recent of two snapshots of one event: more attempts, or a later last
 * attempt; on a tie the one that arrived last. Snapshots come from two subscriptions
 * and a query, so they can arrive out of order.
 */
export function newerEventRow(a: EventRow, b: EventRow): EventRow {
  if (a.attemptCount !== b.attemptCount) return a.attemptCount > b.attemptCount ? a : b;
  if ((a.lastAttemptAt ?? '') !== (b.lastAttemptAt ?? '')) return (a.lastAttemptAt ?? '') > (b.lastAttemptAt ?? '') ? a : b;
  return b;
}

const PAGE_SIZE = 50;
const REFETCH_AT_MOST_EVERY_MS = 3_000;

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
  const [state, dispatch] = useReducer((current: FeedState<EventRow>, action: FeedAction<EventRow>) => feedReducer(current, action), undefined, () => emptyFeed<EventRow>());
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<Error | undefined>();
  const paused = useRef(false);
  const filterRef = useRef(filter);
  filterRef.current = filter;

  const variables = useMemo(() => ({ filter, first: PAGE_SIZE }), [filterKey]); // eslint-disable-line react-hooks/exhaustive-deps
  const [head, reexecute] = useQuery({ query: EventsPageQuery, variables, requestPolicy: 'cache-and-network' });

  useEffect(() => dispatch({ type: 'reset' }), [filterKey]);
  useEffect(() => {
    if (head.data && !head.stale) dispatch({ type: 'head', page: head.data.events });
  }, [head.data, head.stale]);

  // Fetch the first page again, at most every few seconds.
  const lastRefetch = useRef(0);
  const refetchTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const refetch = useCallback(() => {
    if (refetchTimer.current) return;
    const wait = Math.max(0, lastRefetch.current + REFETCH_AT_MOST_EVERY_MS - Date.now());
    refetchTimer.current = setTimeout(() => {
      refetchTimer.current = undefined;
      lastRefetch.current = Date.now();
      reexecute({ requestPolicy: 'network-only' });
    }, wait);
  }, [reexecute]);
  useEffect(() => () => clearTimeout(refetchTimer.current), []);

  const { resyncs } = useConnection();
  useEffect(() => {
    if (resyncs > 0) refetch();
  }, [resyncs, refetch]);

  useEffect(() => {
    const buffer = makeLiveBuffer<EventRow>(
      (batch) => dispatch({ type: 'live', ...batch, paused: paused.current, matches: (row) => matchesFilter(facts(row), filterRef.current), newer: newerEventRow }),
      { newer: newerEventRow },
    );
    const mailboxId = filterRef.current.mailboxId ?? null;
    const stopReceived = subscribeForever(
      client,
      EventsReceivedSubscription,
      { mailboxId },
      ({ eventReceived }) => {
        buffer.received(eventReceived.events);
        if (eventReceived.skipped > 0 || eventReceived.resync) refetch();
      },
      refetch,
    );
    const stopUpdated = subscribeForever(
      client,
      EventRowsUpdatedSubscription,
      { mailboxId },
      ({ deliveryUpdated }) => {
        buffer.updated(deliveryUpdated.updates.map((update) => update.delivery.event));
        if (deliveryUpdated.skipped > 0 || deliveryUpdated.resync) refetch();
      },
      refetch,
    );
    return () => {
      stopReceived();
      stopUpdated();
      buffer.stop();
    };
  }, [client, filterKey, refetch]);

  const loadMore = useCallback(() => {
    if (loadingMore || !state.hasNextPage || !state.endCursor) return;
    setLoadingMore(true);
    setMoreError(undefined);
    void client
      .query(EventsPageQuery, { filter: filterRef.current, first: PAGE_SIZE, after: state.endCursor }, { requestPolicy: 'network-only' })
      .toPromise()
      .then((result) => {
        if (result.data) dispatch({ type: 'more', page: result.data.events });
        if (result.error) setMoreError(result.error);
        setLoadingMore(false);
      });
  }, [client, loadingMore, state.hasNextPage, state.endCursor]);

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
