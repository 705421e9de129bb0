/**
 * Events: every event, newest first, live. Filters are in the URL. New events arrive at
 * the top while the reader is at the top; scrolled down, they wait behind a button.
 */
import { ArrowUp, Eraser, History, Inbox } from 'lucide-react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useQuery } from 'urql';
import { errorCode, errorMessage } from '../graphql/errorMessage.ts';
import { MAX_ROWS } from '../live/eventFeed.ts';
import { useRoleBlock } from '../session/SessionContext.tsx';
import { usePageTitle } from '../ui/usePageTitle.ts';
import { formatCount } from '../ui/format.ts';
import { SendEventSnippet } from '../ui/SendEventSnippet.tsx';
import { EmptyState, ErrorState, Loading } from '../ui/States.tsx';
import { graphql } from '../generated/gql.ts';
import type { DeadLetterFilter } from '../generated/graphql.ts';
import {
  eventFilterOf,
  filterStateFromParams,
  isFiltered,
  paramsFromFilterState,
  type EventFilterState,
} from './eventFilterParams.ts';
import { EventFilters } from './EventFilters.tsx';
import { ExportEvents } from './ExportEvents.tsx';
import { EventsTable } from './EventsTable.tsx';
import { MAX_PICKED, replayFilterOfView } from './eventsReplay.ts';
import { ReplayViewDialog } from './ReplayViewDialog.tsx';
import { EraseMatchingDialog, type ErasureScope } from './EraseMatchingDialog.tsx';
import { erasureBlockOfView, erasureFilterOfView } from './eventsErasure.ts';
import { parseSearch } from './searchQuery.ts';
import { useEventFeed } from './useEventFeed.ts';

const FirstMailboxQuery = graphql(`
  query FirstMailbox {
    mailboxes(first: 1) {
      edges {
        node {
          id
          name
        }
      }
    }
  }
`);

export function EventsPage() {
  usePageTitle('Events');
  const [params, setParams] = useSearchParams();
  const search = params.toString();
  const filterState = useMemo(() => filterStateFromParams(new URLSearchParams(search)), [search]);
  // A relative range ("last 1h") is resolved when the filter changes, not on every render.
  const filter = useMemo(() => eventFilterOf(filterState, Date.now()), [filterState]);
  // The feed starts again only when the filter does: a URL that changes without changing
  // it (a search word that is explained rather than used, then deleted) keeps the rows.
  const filterKey = useMemo(() => JSON.stringify(filter), [filter]);
  const feed = useEventFeed(filter, filterKey);
  const { rows } = feed.state;

  const [selected, setSelected] = useState<Set<string>>(new Set());
  useEffect(() => setSelected(new Set()), [search]);
  const toggle = useCallback(
    (id: string) =>
      setSelected((current) => {
        const next = new Set(current);
        if (!next.delete(id)) next.add(id);
        return next;
      }),
    [],
  );

  const setFilter = (next: EventFilterState) => setParams(paramsFromFilterState(next), { replace: true });

  // Scrolled away from the top, new events wait instead of pushing rows down.
  const [scrolled, setScrolled] = useState(false);
  useEffect(() => {
    const onScroll = () => setScrolled(window.scrollY > 120);
    window.addEventListener('scroll', onScroll, { passive: true });
    return () => window.removeEventListener('scroll', onScroll);
  }, []);
  const latestFeed = useRef(feed);
  latestFeed.current = feed;
  const waitingCount = feed.state.waiting.length;
  useEffect(() => {
    latestFeed.current.setPaused(scrolled);
    if (!scrolled && waitingCount > 0) latestFeed.current.showWaiting();
  }, [scrolled, waitingCount]);

  // Infinite scroll: the sentinel below the table loads the next page when it comes into
  // view. It is observed afresh whenever the rows change, because a reader parked at the
  // bottom keeps it in view (scroll anchoring follows it down) and an observer only calls
  // on a change of visibility: the fresh observation reports it visible and loads on.
  const sentinel = useRef<HTMLDivElement>(null);
  const rowCount = rows.length;
  useEffect(() => {
    const node = sentinel.current;
    if (!node || typeof IntersectionObserver === 'undefined') return;
    const observer = new IntersectionObserver(
      (entries) => entries.some((entry) => entry.isIntersecting) && latestFeed.current.loadMore(),
      { rootMargin: '400px' },
    );
    observer.observe(node);
    return () => observer.disconnect();
  }, [rowCount, feed.loadingMore]);

  // Bulk actions are one server-side replay of the view's (or the picked rows') failed deliveries.
  const replayBlock = useRoleBlock('operator');
  const [replayFilter, setReplayFilter] = useState<DeadLetterFilter | null>(null);
  const picked = rows.filter((row) => selected.has(row.id)).map((row) => row.trackingNumber);
  const allShownPicked = rows.length > 0 && picked.length === rows.length;

  // Erasure takes one mailbox's events, exactly those the search asks for.
  const adminBlock = useRoleBlock('admin');
  const parsedSearch = useMemo(() => parseSearch(filterState.q, filterState.eventTypes), [filterState]);
  const eraseBlock = adminBlock ?? erasureBlockOfView(filter, parsedSearch);
  const [erasureScope, setErasureScope] = useState<ErasureScope | null>(null);

  const waiting = feed.state.waiting.length + feed.state.waitingOverflow;
  // A filter the server refuses is explained beside the filters, not as a failed page with a useless "Try again".
  const refused = feed.error && errorCode(feed.error) === 'validation_failed' ? feed.error : null;

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Events</h1>
          <p className="page-sub">Every event received, newest first. Updates arrive live.</p>
        </div>
        <div className="page-actions">
          <button
            type="button"
            className="button"
            disabled={replayBlock !== null}
            title={replayBlock ?? 'Replay the failed deliveries of every event this view matches'}
            onClick={() => setReplayFilter(replayFilterOfView(filter))}
          >
            <History aria-hidden size={15} />
            Replay failed…
          </button>
          <button
            type="button"
            className="button button-danger-ghost"
            disabled={eraseBlock !== null}
            title={eraseBlock ?? 'Erase every event this view matches, for good (a data-subject request)'}
            onClick={() =>
              filter.mailboxId && setErasureScope({ mailboxId: filter.mailboxId, filter: erasureFilterOfView(filter) })
            }
          >
            <Eraser aria-hidden size={15} />
            Erase matching…
          </button>
          <ExportEvents filter={filter} />
        </div>
      </header>
      <EventFilters state={filterState} onChange={setFilter} serverProblem={refused ? errorMessage(refused) : null} />

      <EraseMatchingDialog scope={erasureScope} onClose={() => setErasureScope(null)} onEnded={feed.refetch} />

      <ReplayViewDialog
        filter={replayFilter}
        onClose={() => setReplayFilter(null)}
        onStarted={() => setSelected(new Set())}
      />

      {picked.length > 0 ? (
        <div className="bulk-bar" role="region" aria-label="Selected events">
          <strong>{formatCount(picked.length)} selected</strong>
          <button
            type="button"
            className="button button-primary button-small"
            disabled={replayBlock !== null || picked.length > MAX_PICKED}
            title={
              replayBlock ??
              (picked.length > MAX_PICKED
                ? `At most ${formatCount(MAX_PICKED)} picked events: replay the whole view instead`
                : 'Replay the failed deliveries of the selected events')
            }
            onClick={() => setReplayFilter(replayFilterOfView(filter, picked))}
          >
            <History aria-hidden size={14} />
            Replay selected…
          </button>
          {allShownPicked && feed.state.hasNextPage ? (
            <button
              type="button"
              className="button button-small"
              disabled={replayBlock !== null}
              onClick={() => setReplayFilter(replayFilterOfView(filter))}
            >
              Replay every matching event…
            </button>
          ) : null}
          <span className="muted small">
            {replayBlock ??
              (allShownPicked && feed.state.hasNextPage
                ? 'All loaded rows are selected; the view has older events too.'
                : 'Their failed deliveries get one more attempt; the others are left alone.')}
          </span>
          <button type="button" className="button button-ghost button-small" onClick={() => setSelected(new Set())}>
            Clear selection
          </button>
        </div>
      ) : null}

      {waiting > 0 ? (
        <button
          type="button"
          className="new-events-pill"
          onClick={() => {
            window.scrollTo({ top: 0, behavior: 'smooth' });
            feed.showWaiting();
          }}
        >
          <ArrowUp aria-hidden size={14} />
          {formatCount(waiting)} new event{waiting === 1 ? '' : 's'}
        </button>
      ) : null}

      {refused ? null : feed.error && rows.length === 0 ? (
        <ErrorState title="Could not load events" error={feed.error} onRetry={feed.refetch} />
      ) : feed.fetching ? (
        <Loading label="Loading events…" rows={8} />
      ) : rows.length === 0 ? (
        isFiltered(filterState) ? (
          <EmptyState
            icon={Inbox}
            title="No events match these filters"
            action={
              <Link className="button" to="/events">
                Clear filters
              </Link>
            }
          >
            New events that match will appear here as they arrive.
          </EmptyState>
        ) : (
          <NoEventsYet />
        )
      ) : (
        <>
          <EventsTable
            rows={rows}
            selected={selected}
            onToggle={toggle}
            onToggleAll={(on) => setSelected(on ? new Set(rows.map((row) => row.id)) : new Set())}
          />
          <div ref={sentinel} className="list-foot">
            {feed.state.hasNextPage && rows.length >= MAX_ROWS ? (
              <span className="muted small">
                The newest {formatCount(rows.length)} events are shown; narrow the filters, or export them, to see older
                ones.
              </span>
            ) : feed.state.hasNextPage ? (
              <button type="button" className="button button-ghost" disabled={feed.loadingMore} onClick={feed.loadMore}>
                {feed.loadingMore ? 'Loading…' : 'Load older events'}
              </button>
            ) : (
              <span className="muted small">{formatCount(rows.length)} events · that is all of them</span>
            )}
            {feed.error && rows.length > 0 ? (
              <ErrorState title="Could not load more" error={feed.error} onRetry={feed.loadMore} />
            ) : null}
          </div>
        </>
      )}
    </div>
  );
}

function NoEventsYet() {
  const [result] = useQuery({ query: FirstMailboxQuery });
  const mailbox = result.data?.mailboxes.edges[0]?.node;
  if (result.fetching) return <Loading rows={3} />;
  if (!mailbox) {
    return (
      <EmptyState
        icon={Inbox}
        title="No events yet"
        action={
          <Link className="button button-primary" to="/mailboxes?new=1">
            Create a mailbox
          </Link>
        }
      >
        Events arrive in a mailbox. Create one for the service that sends events; you get its API key and the command to
        send a first event.
      </EmptyState>
    );
  }
  return (
    <EmptyState icon={Inbox} title="No events yet">
      <p>
        Send one to <strong>{mailbox.name}</strong> with its API key; it appears here within a second, and you can watch
        it being delivered.
      </p>
      <SendEventSnippet mailboxId={mailbox.id} />
    </EmptyState>
  );
}
