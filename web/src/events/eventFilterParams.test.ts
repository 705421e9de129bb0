import { describe, expect, test } from 'vitest';
import {
  emptyFilterState,
  eventFilterOf,
  filterStateFromParams,
  matchesEventType,
  matchesFilter,
  paramsFromFilterState,
} from './eventFilterParams.ts';

const now = Date.parse('2026-11-28T12:00:00.000Z');

describe('event filters in the URL', () => {
  test('a filter survives the round trip through the query string', () => {
    const state = {
      ...emptyFilterState,
      status: ['failed' as const, 'queued' as const],
      mailboxId: 'm1',
      endpointId: 'e1',
      eventTypes: ['order.*', 'invoice.paid'],
      range: '1h' as const,
      q: '018f',
    };
    const params = paramsFromFilterState(state);
    expect(params.toString()).toBe(
      'status=failed%2Cqueued&mailbox=m1&endpoint=e1&type=order.*%2Cinvoice.paid&range=1h&q=018f',
    );
    expect(filterStateFromParams(new URLSearchParams(params.toString()))).toEqual(state);
  });

  test('unknown statuses and ranges in a hand-edited URL are ignored', () => {
    expect(filterStateFromParams(new URLSearchParams('status=failed,bogus&range=2y'))).toEqual({
      ...emptyFilterState,
      status: ['failed'],
    });
  });

  test('a relative range becomes receivedSince; a custom range keeps its bounds', () => {
    expect(eventFilterOf({ ...emptyFilterState, range: '15m' }, now)).toEqual({
      receivedSince: '2026-11-28T11:45:00.000Z',
    });
    expect(eventFilterOf({ ...emptyFilterState, since: '2026-11-27T00:00:00Z', until: 'not a date' }, now)).toEqual({
      receivedSince: '2026-11-27T00:00:00.000Z',
    });
    expect(eventFilterOf(emptyFilterState, now)).toEqual({});
  });

  test('the search box adds payload fields, an HTTP status and an error kind to the filter', () => {
    expect(
      eventFilterOf({ ...emptyFilterState, q: 'order.* data.order_id:ORD-1 status:503 error:http_status' }, now),
    ).toEqual({
      eventTypes: ['order.*'],
      payload: [{ path: 'data.order_id', equals: 'ORD-1' }],
      deliveryStatusCode: 503,
      deliveryErrorKind: 'http_status',
    });
  });
});

describe('whether a pushed event belongs in the filtered list', () => {
  const event = {
    id: '018f3c2a-1111-7000-8000-000000000000',
    status: 'queued' as const,
    eventType: 'order.created',
    receivedAt: '2026-11-28T11:59:00.000Z',
    mailboxId: 'm1',
    endpointIds: ['e1', 'e2'],
  };

  test('event types match with * wildcards, as on the server', () => {
    expect(matchesEventType('order.created', ['order.*'])).toBe(true);
    expect(matchesEventType('order.created', ['*.failed'])).toBe(false);
    expect(matchesEventType('order.created', [])).toBe(true);
    expect(matchesEventType(null, ['order.*'])).toBe(false);
    expect(matchesEventType('order+created', ['order+created'])).toBe(true);
  });

  test('every given filter must match', () => {
    expect(matchesFilter(event, {})).toBe(true);
    expect(matchesFilter(event, { status: ['failed'] })).toBe(false);
    expect(matchesFilter(event, { mailboxId: 'm2' })).toBe(false);
    expect(matchesFilter(event, { endpointId: 'e2' })).toBe(true);
    expect(matchesFilter(event, { receivedSince: '2026-11-28T11:59:30.000Z' })).toBe(false);
    expect(matchesFilter(event, { trackingNumberPrefix: '018F3C2A-11' })).toBe(true);
    expect(matchesFilter(event, { trackingNumberPrefix: '018f3c2b' })).toBe(false);
  });

  test('a payload field, HTTP status or error kind is judged by the server, not the page', () => {
    expect(matchesFilter(event, { payload: [{ path: 'data.id', equals: '1' }] })).toBe(false);
    expect(matchesFilter(event, { deliveryStatusCode: 500 })).toBe(false);
    expect(matchesFilter(event, { deliveryErrorKind: 'timeout' })).toBe(false);
  });
});

describe('the event types the filter sends', () => {
  test("the filter's event types and the search's go once each, at most the server's 20 (it refuses more)", () => {
    const box = Array.from({ length: 15 }, (_, n) => `box${n}.created`);
    const typed = Array.from({ length: 10 }, (_, n) => `typed${n}.created`);
    const filter = eventFilterOf(
      filterStateFromParams(new URLSearchParams({ type: [...box, box[0]].join(','), q: [...typed, box[1]].join(' ') })),
      now,
    );
    expect(filter.eventTypes).toEqual([...box, ...typed.slice(0, 5)]);
  });
});
