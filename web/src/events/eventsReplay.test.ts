import { describe, expect, test } from 'vitest';
import { describeReplayScope, replayFilterOfView } from './eventsReplay.ts';

describe('the events view as a replay', () => {
  test('every filter of the view becomes the same filter on the failed deliveries of its events', () => {
    expect(
      replayFilterOfView({
        status: ['failed'],
        mailboxId: 'm',
        endpointId: 'p',
        eventTypes: ['order.*'],
        receivedSince: '2026-12-01T00:00:00.000Z',
        receivedUntil: '2026-12-02T00:00:00.000Z',
        trackingNumberPrefix: '018f',
        payload: [{ path: 'data.order_id', equals: 'ORD-1' }],
        deliveryStatusCode: 503,
        deliveryErrorKind: 'timeout',
      }),
    ).toEqual({
      eventStatuses: ['failed'],
      mailboxId: 'm',
      endpointId: 'p',
      eventTypes: ['order.*'],
      receivedSince: '2026-12-01T00:00:00.000Z',
      receivedUntil: '2026-12-02T00:00:00.000Z',
      trackingNumberPrefix: '018f',
      payload: [{ path: 'data.order_id', equals: 'ORD-1' }],
      statusCodes: [503],
      errorKinds: ['timeout'],
    });
  });

  test('an unfiltered view replays every dead letter; picked rows narrow it to those events', () => {
    expect(replayFilterOfView({})).toEqual({});
    expect(replayFilterOfView({ status: ['failed'] }, ['a', 'b'])).toEqual({
      eventStatuses: ['failed'],
      trackingNumbers: ['a', 'b'],
    });
  });

  test('the dialog says what the replay covers', () => {
    expect(describeReplayScope({})).toBe('of every event');
    expect(describeReplayScope({ eventTypes: ['order.*'] })).toBe('of every event this view matches, loaded or not');
    expect(describeReplayScope({ trackingNumbers: ['a', 'b', 'c'] })).toBe('of the 3 events you picked');
    expect(describeReplayScope({ trackingNumbers: ['a'] })).toBe('of the event you picked');
    expect(describeReplayScope({ endpointId: 'p', statusCodes: [503] })).toBe(
      'of every event, to the endpoint chosen, whose last attempt got HTTP 503',
    );
  });
});
