import { describe, expect, test } from 'vitest';
import { describeErasureFilter, erasureBlockOfView, erasureFilterOfView, takesEveryEvent } from './eventsErasure.ts';
import { parseSearch } from './searchQuery.ts';

describe('the events view as a bulk erasure', () => {
  test("the view's filter, less the mailbox, is the erasure filter", () => {
    expect(
      erasureFilterOfView({
        mailboxId: 'm-1',
        status: ['failed'],
        eventTypes: ['order.*'],
        receivedSince: '2026-12-01T00:00:00.000Z',
        payload: [{ path: 'data.customer_id', equals: 'C-42' }],
        deliveryStatusCode: 500,
        trackingNumberPrefix: '0193',
      }),
    ).toEqual({
      status: ['failed'],
      eventTypes: ['order.*'],
      receivedSince: '2026-12-01T00:00:00.000Z',
      payload: [{ path: 'data.customer_id', equals: 'C-42' }],
      deliveryStatusCode: 500,
      trackingNumberPrefix: '0193',
    });
    expect(erasureFilterOfView({ mailboxId: 'm-1' })).toEqual({});
  });

  test('a view narrowed by the mailbox alone, a bare * or every status takes every event', () => {
    expect(takesEveryEvent({})).toBe(true);
    expect(takesEveryEvent({ eventTypes: ['*'] })).toBe(true);
    expect(takesEveryEvent({ status: ['queued', 'delivering', 'delivered', 'failed', 'cancelled', 'unrouted'] })).toBe(
      true,
    );
    expect(takesEveryEvent({ eventTypes: ['order.*'] })).toBe(false);
    expect(takesEveryEvent({ payload: [{ path: 'data.customer_id', equals: 'C-42' }] })).toBe(false);
    expect(takesEveryEvent({ deliveryStatusCode: 0 })).toBe(false);
  });

  test('the confirmation names each condition', () => {
    expect(
      describeErasureFilter({ payload: [{ path: 'data.customer_id', equals: 'C-42' }], eventTypes: ['order.*'] }),
    ).toEqual(['whose data.customer_id is “C-42”', 'of type order.*']);
    expect(describeErasureFilter({})).toEqual([]);
  });
});

describe('when the view cannot be erased', () => {
  const mailboxId = 'm-1';

  test('a view of one mailbox whose search is read in full can', () => {
    expect(erasureBlockOfView({ mailboxId }, parseSearch('data.customer_id:C-42'))).toBeNull();
  });

  test('without a mailbox, it cannot', () => {
    expect(erasureBlockOfView({}, parseSearch(''))).toMatch(/^Choose a mailbox/);
  });

  test('a search read only in part cannot: the words left out would have narrowed it', () => {
    // A mistyped condition is left out of the view's filter; erasing by the rest would take
    // every event the rest matches, the other subjects' too.
    expect(erasureBlockOfView({ mailboxId }, parseSearch('type:order.* data.customer_id=C-42 ???'))).toMatch(
      /^Part of the search is not used/,
    );
    const fields = Array.from({ length: 21 }, (_, i) => `data.f${i}:v`).join(' ');
    expect(erasureBlockOfView({ mailboxId }, parseSearch(fields))).toMatch(/^Part of the search is not used/);
  });
});
