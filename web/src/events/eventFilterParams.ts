/**
 * The events view's filters live in the URL (`?status=failed&mailbox=…&range=1h&q=018f`),
 * so a view can be shared or bookmarked. These functions turn the query string into the
 * GraphQL filter and back; they are pure so they are tested without a browser.
 */
import type { EventFilter, EventStatus } from '../generated/graphql.ts';
import { parseSearch } from './searchQuery.ts';

export const eventStatuses: EventStatus[] = ['queued', 'delivering', 'delivered', 'failed', 'cancelled', 'unrouted'];

/** Time ranges offered in the filter bar, in ms. */
export const timeRanges = { '15m': 15 * 60_000, '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 } as const;
export type TimeRange = keyof typeof timeRanges;

export interface EventFilterState {
  status: EventStatus[];
  mailboxId: string;
  endpointId: string;
  /** Event-type names or `*` patterns. */
  eventTypes: string[];
  /** A preset relative range, or '' for all time or a custom since/until. */
  range: TimeRange | '';
  since: string;
  until: string;
  /** What was typed in the search box (tracking number, event types, payload fields, HTTP status, error kind): see searchQuery.ts. */
  q: string;
}

export const emptyFilterState: EventFilterState = {
  status: [],
  mailboxId: '',
  endpointId: '',
  eventTypes: [],
  range: '',
  since: '',
  until: '',
  q: '',
};

const list = (value: string | null) =>
  value
    ? value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean)
    : [];

export function filterStateFromParams(params: URLSearchParams): EventFilterState {
  const range = params.get('range') ?? '';
  return {
    status: list(params.get('status')).filter((status): status is EventStatus =>
      (eventStatuses as string[]).includes(status),
    ),
    mailboxId: params.get('mailbox') ?? '',
    endpointId: params.get('endpoint') ?? '',
    eventTypes: list(params.get('type')),
    range: range in timeRanges ? (range as TimeRange) : '',
    since: params.get('since') ?? '',
    until: params.get('until') ?? '',
    q: params.get('q') ?? '',
  };
}

export function paramsFromFilterState(state: EventFilterState): URLSearchParams {
  const params = new URLSearchParams();
  if (state.status.length) params.set('status', state.status.join(','));
  if (state.mailboxId) params.set('mailbox', state.mailboxId);
  if (state.endpointId) params.set('endpoint', state.endpointId);
  if (state.eventTypes.length) params.set('type', state.eventTypes.join(','));
  if (state.range) params.set('range', state.range);
  else {
    if (state.since) params.set('since', state.since);
    if (state.until) params.set('until', state.until);
  }
  if (state.q.trim()) params.set('q', state.q.trim());
  return params;
}

const validDate = (value: string) => (value && !Number.isNaN(Date.parse(value)) ? new Date(value).toISOString() : null);

/** The GraphQL filter; a relative range is resolved against `now`. */
export function eventFilterOf(state: EventFilterState, now: number): EventFilter {
  const filter: EventFilter = {};
  if (state.status.length) filter.status = state.status;
  if (state.mailboxId) filter.mailboxId = state.mailboxId;
  if (state.endpointId) filter.endpointId = state.endpointId;
  // Event types from the box and from the search: an event of any of them matches.
  const search = parseSearch(state.q, state.eventTypes);
  if (search.eventTypes.length) filter.eventTypes = search.eventTypes;
  if (state.range) filter.receivedSince = new Date(now - timeRanges[state.range]).toISOString();
  else {
    const since = validDate(state.since);
    const until = validDate(state.until);
    if (since) filter.receivedSince = since;
    if (until) filter.receivedUntil = until;
  }
  if (search.trackingNumberPrefix) filter.trackingNumberPrefix = search.trackingNumberPrefix;
  if (search.payload.length) filter.payload = search.payload;
  if (search.deliveryStatusCode !== undefined) filter.deliveryStatusCode = search.deliveryStatusCode;
  if (search.deliveryErrorKind) filter.deliveryErrorKind = search.deliveryErrorKind;
  return filter;
}

/**
 * Whether only the server can tell if an event matches: payload fields are not pushed,
 * and an event matches a delivery's HTTP status or error kind only once an attempt ended.
 * The live list then asks the server again when something changes (useEventFeed.ts).
 */
export const judgedOnServer = (filter: EventFilter) =>
  Boolean(filter.payload?.length || filter.deliveryStatusCode != null || filter.deliveryErrorKind);

export const isFiltered = (state: EventFilterState) => paramsFromFilterState(state).toString() !== '';

/** `*` matches any run of characters, as on the server. */
export function matchesEventType(eventType: string | null | undefined, patterns: string[]): boolean {
  if (patterns.length === 0) return true;
  if (!eventType) return false;
  return patterns.some((pattern) =>
    new RegExp(
      `^${pattern
        .split('*')
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    ).test(eventType),
  );
}

/** What the live feed needs to know about a new event to decide whether the filter shows it. */
export interface LiveEventFacts {
  id: string;
  status: EventStatus;
  eventType?: string | null;
  receivedAt: string;
  mailboxId: string;
  endpointIds: string[];
}

/** Whether a pushed new event belongs in the filtered list (the server's rules, on the client). */
export function matchesFilter(event: LiveEventFacts, filter: EventFilter): boolean {
  if (judgedOnServer(filter)) return false;
  if (filter.status?.length && !filter.status.includes(event.status)) return false;
  if (filter.trackingNumbers && !filter.trackingNumbers.includes(event.id)) return false;
  if (filter.mailboxId && event.mailboxId !== filter.mailboxId) return false;
  if (filter.endpointId && !event.endpointIds.includes(filter.endpointId)) return false;
  if (!matchesEventType(event.eventType, filter.eventTypes ?? [])) return false;
  const at = Date.parse(event.receivedAt);
  if (filter.receivedSince && at < Date.parse(filter.receivedSince)) return false;
  if (filter.receivedUntil && at >= Date.parse(filter.receivedUntil)) return false;
  if (
    filter.trackingNumberPrefix &&
    !event.id.replaceAll('-', '').startsWith(filter.trackingNumberPrefix.replaceAll('-', '').toLowerCase())
  )
    return false;
  return true;
}
