/** The filter bar of the events list. Every change is written to the URL, which is the filter's only state. */
import { Search, X } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { useQuery } from 'urql';
import { StatusBadge } from '../ui/StatusBadge.tsx';
import { useDraft } from '../ui/useDraft.ts';
import { FilterChoicesQuery } from './eventDocuments.ts';
import { describeTerm, parseSearch } from './searchQuery.ts';
import { eventStatuses, isFiltered, timeRanges, type EventFilterState, type TimeRange } from './eventFilterParams.ts';

/** What the search box understood, term by term, and why a word could not be used: said at once, beside the box. */
function SearchUnderstood({
  id,
  search,
  serverProblem,
}: {
  id: string;
  search: ReturnType<typeof parseSearch>;
  serverProblem: string | null;
}) {
  if (search.terms.length === 0 && search.problems.length === 0 && !serverProblem)
    return (
      <span id={id} className="visually-hidden">
        Search by tracking number, event type, HTTP status (status:503), error kind (error:timeout) or payload field
        (data.order_id:ORD-1).
      </span>
    );
  return (
    <div id={id} className="search-understood" aria-live="polite">
      {search.terms.length > 0 ? (
        <p className="small">
          <span className="muted">Searching </span>
          {search.terms.map((term, i) => {
            const { what, value } = describeTerm(term);
            return (
              <span key={i} className="term" data-term={term.kind}>
                {what} <code>{value}</code>
              </span>
            );
          })}
        </p>
      ) : null}
      {search.problems.map((problem, i) => (
        <p key={i} className="field-error small">
          <code>{problem.text}</code> {problem.message}
        </p>
      ))}
      {serverProblem ? <p className="field-error small">Hookpost could not use this filter: {serverProblem}</p> : null}
    </div>
  );
}

const typeList = (value: string) =>
  value
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);

const toLocalInput = (iso: string) => {
  if (!iso || Number.isNaN(Date.parse(iso))) return '';
  const date = new Date(iso);
  return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};
const fromLocalInput = (value: string) => (value ? new Date(value).toISOString() : '');

export function EventFilters({
  state,
  onChange,
  serverProblem,
}: {
  state: EventFilterState;
  onChange(next: EventFilterState): void;
  /** Why the server refused the filter (validation_failed), shown beside it. */
  serverProblem?: string | null;
}) {
  const [choices] = useQuery({ query: FilterChoicesQuery });
  const mailboxes = choices.data?.mailboxes.edges.map((edge) => edge.node) ?? [];
  const endpoints = mailboxes
    .filter((mailbox) => !state.mailboxId || mailbox.id === state.mailboxId)
    .flatMap((mailbox) => mailbox.endpoints.edges.map((edge) => ({ ...edge.node, mailboxName: mailbox.name })));
  // Changes build on the latest one, even before the URL has come back as `state`: two
  // quick clicks must not undo each other.
  const latest = useRef(state);
  useEffect(() => {
    latest.current = state;
  }, [state]);
  const set = (patch: Partial<EventFilterState>) => {
    latest.current = { ...latest.current, ...patch };
    onChange(latest.current);
  };

  const [q, setQ, applyQ] = useDraft(state.q, (value) => set({ q: value.trim() }), { canonical: (v) => v.trim() });
  const [types, setTypes, applyTypes] = useDraft(
    state.eventTypes.join(', '),
    (value) => set({ eventTypes: typeList(value) }),
    { canonical: (value) => typeList(value).join(', ') },
  );
  const search = parseSearch(q, state.eventTypes);
  const custom = !state.range && Boolean(state.since || state.until);
  const [showCustom, setShowCustom] = useState(custom);

  return (
    <section className="filters" aria-label="Filters">
      <div className="filter-row">
        <label className="search">
          <Search aria-hidden size={16} />
          <span className="visually-hidden">Search events</span>
          <input
            data-search
            aria-label="Search events"
            aria-describedby="search-understood"
            type="search"
            placeholder="Tracking number, type, 503, field:value…"
            value={q}
            spellCheck={false}
            onChange={(event) => setQ(event.target.value)}
            onKeyDown={(event) => {
              if (event.key === 'Enter') applyQ();
              if (event.key === 'Escape') (event.target as HTMLInputElement).blur();
            }}
            aria-invalid={search.problems.length > 0 ? true : undefined}
          />
          <kbd className="search-key" aria-hidden>
            /
          </kbd>
        </label>
        <label className="select-field">
          <span className="visually-hidden">Mailbox</span>
          <select
            value={state.mailboxId}
            onChange={(event) => set({ mailboxId: event.target.value, endpointId: '' })}
            aria-label="Mailbox"
          >
            <option value="">All mailboxes</option>
            {mailboxes.map((mailbox) => (
              <option key={mailbox.id} value={mailbox.id}>
                {mailbox.name}
              </option>
            ))}
          </select>
        </label>
        <label className="select-field">
          <span className="visually-hidden">Endpoint</span>
          <select
            value={state.endpointId}
            onChange={(event) => set({ endpointId: event.target.value })}
            aria-label="Endpoint"
          >
            <option value="">All endpoints</option>
            {endpoints.map((endpoint) => (
              <option key={endpoint.id} value={endpoint.id}>
                {state.mailboxId ? endpoint.url : `${endpoint.mailboxName} · ${endpoint.url}`}
              </option>
            ))}
          </select>
        </label>
        <label className="text-field">
          <span className="visually-hidden">Event type</span>
          <input
            type="text"
            placeholder="Event type, e.g. order.*"
            aria-label="Event type"
            value={types}
            spellCheck={false}
            onChange={(event) => setTypes(event.target.value)}
            onKeyDown={(event) => event.key === 'Enter' && applyTypes()}
          />
        </label>
        <div className="segmented" role="group" aria-label="Time range">
          {(['', ...Object.keys(timeRanges)] as (TimeRange | '')[]).map((range) => (
            <button
              key={range || 'all'}
              type="button"
              aria-pressed={!showCustom && state.range === range && (range !== '' || !custom)}
              onClick={() => {
                setShowCustom(false);
                set({ range, since: '', until: '' });
              }}
            >
              {range ? `Last ${range}` : 'All time'}
            </button>
          ))}
          <button type="button" aria-pressed={showCustom || custom} onClick={() => setShowCustom(true)}>
            Custom
          </button>
        </div>
      </div>
      <SearchUnderstood id="search-understood" search={search} serverProblem={serverProblem ?? null} />
      {showCustom || custom ? (
        <div className="filter-row">
          <label className="inline-field">
            From
            <input
              type="datetime-local"
              value={toLocalInput(state.since)}
              onChange={(event) => set({ range: '', since: fromLocalInput(event.target.value) })}
            />
          </label>
          <label className="inline-field">
            Until
            <input
              type="datetime-local"
              value={toLocalInput(state.until)}
              onChange={(event) => set({ range: '', until: fromLocalInput(event.target.value) })}
            />
          </label>
        </div>
      ) : null}
      <div className="filter-row status-row">
        <span className="filter-label" id="status-filter-label">
          Status
        </span>
        <div className="chips" role="group" aria-labelledby="status-filter-label">
          {eventStatuses.map((status) => {
            const on = state.status.includes(status);
            return (
              <button
                key={status}
                type="button"
                className={on ? 'chip chip-on' : 'chip'}
                aria-pressed={on}
                onClick={() => {
                  const current = latest.current.status;
                  set({
                    status: current.includes(status) ? current.filter((s) => s !== status) : [...current, status],
                  });
                }}
              >
                <StatusBadge status={status} />
              </button>
            );
          })}
        </div>
        {isFiltered(state) ? (
          <button
            type="button"
            className="button button-ghost button-small clear-filters"
            onClick={() => {
              setShowCustom(false);
              set({
                status: [],
                mailboxId: '',
                endpointId: '',
                eventTypes: [],
                range: '',
                since: '',
                until: '',
                q: '',
              });
            }}
          >
            <X aria-hidden size={14} />
            Clear filters
          </button>
        ) : null}
      </div>
    </section>
  );
}
