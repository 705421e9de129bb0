import { describe, expect, test } from 'vitest';
import { AppError } from '../errors.ts';
import { boundToStart, checkExpectedCount, matchesEverything, parseErasureRequest } from './erasureFilter.ts';

const problemsOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return { code: (error as AppError).code, message: (error as AppError).message };
  }
  throw new Error('It was not refused.');
};

describe('which filters take every event of a mailbox', () => {
  test('no condition, a bare `*` type or every status leaves nothing out', () => {
    expect(matchesEverything({})).toBe(true);
    expect(matchesEverything({ eventTypes: ['*'] })).toBe(true);
    expect(matchesEverything({ eventTypes: ['order.*', '**'] })).toBe(true);
    expect(
      matchesEverything({ status: ['queued', 'delivering', 'delivered', 'failed', 'cancelled', 'unrouted'] }),
    ).toBe(true);
  });

  test('any real condition narrows', () => {
    expect(matchesEverything({ eventTypes: ['order.*'] })).toBe(false);
    expect(matchesEverything({ status: ['failed'] })).toBe(false);
    expect(matchesEverything({ payload: [{ path: 'data.customer_id', equals: 'C-42' }] })).toBe(false);
    expect(matchesEverything({ receivedSince: new Date('2026-01-01') })).toBe(false);
    expect(matchesEverything({ deliveryStatusCode: 500 })).toBe(false);
    expect(matchesEverything({ trackingNumberPrefix: '0193' })).toBe(false);
    expect(matchesEverything({ endpointId: '0193a5b2-7c1e-7d4a-9f3e-2b8c4d6e8f10' })).toBe(false);
  });
});

describe('an erasure request', () => {
  test('a filter that takes everything needs everything: true', () => {
    expect(problemsOf(() => parseErasureRequest({}))).toMatchObject({
      code: 'validation_failed',
      message: expect.stringMatching(/^everything: the filter matches every event/),
    });
    expect(problemsOf(() => parseErasureRequest({ filter: { eventTypes: ['*'] }, everything: false })).code).toBe(
      'validation_failed',
    );
    expect(parseErasureRequest({ everything: true })).toEqual({});
  });

  test('unknown fields, bad values and a negative confirmed count are refused, each by name', () => {
    expect(problemsOf(() => parseErasureRequest({ filter: { paylod: [] } as never })).message).toMatch(/paylod/);
    expect(problemsOf(() => parseErasureRequest({ filter: { payload: [{ path: '', equals: 'x' }] } })).message).toMatch(
      /^payload\.0\.path:/,
    );
    expect(
      problemsOf(() =>
        parseErasureRequest({
          filter: { receivedSince: '2026-01-02T00:00:00Z', receivedUntil: '2026-01-01T00:00:00Z' },
        }),
      ).message,
    ).toMatch(/^receivedUntil: must be after receivedSince/);
    expect(problemsOf(() => parseErasureRequest({ filter: { receivedSince: 'yesterday' } })).message).toMatch(
      /^receivedSince:/,
    );
    // What Date would read as another moment is refused, not guessed: "Dec 3" is 2001-12-03
    // to JavaScript, "12" is 2001-12-01, and a time without an offset is the server's local time.
    for (const loose of ['Dec 3', '12', '12/01', '2026-12-01 10:00', '2026-12-01T10:00:00'])
      expect(problemsOf(() => parseErasureRequest({ filter: { receivedSince: loose } })).message).toMatch(
        /^receivedSince: must be an ISO 8601 date-time/,
      );
    expect(parseErasureRequest({ filter: { receivedSince: '2026-12-01T10:00:00.5+01:00' } }).receivedSince).toEqual(
      new Date('2026-12-01T09:00:00.500Z'),
    );
    // Events keep numbers as JavaScript reads them: past 2^53, neighbouring ids share one
    // term, and an erasure by one would take the other subjects' events too.
    expect(
      problemsOf(() =>
        parseErasureRequest({ filter: { payload: [{ path: 'data.customer_id', equals: '1234567890123456789' }] } }),
      ).message,
    ).toMatch(/^payload\.0\.equals: .*2\^53/);
    expect(
      parseErasureRequest({ filter: { payload: [{ path: 'data.customer_id', equals: '9007199254740991' }] } }).payload,
    ).toHaveLength(1);
    expect(
      problemsOf(() => parseErasureRequest({ filter: { eventTypes: ['order.*'] }, expectedCount: -1 })).message,
    ).toMatch(/^expectedCount:/);
  });

  test('it takes only what arrived before it started', () => {
    const startedAt = new Date('2026-12-03T09:00:00Z');
    expect(boundToStart({ eventTypes: ['order.*'] }, startedAt)).toEqual({
      eventTypes: ['order.*'],
      receivedUntil: startedAt,
    });
    const earlier = new Date('2026-12-01T00:00:00Z');
    expect(boundToStart({ receivedUntil: earlier }, startedAt).receivedUntil).toEqual(earlier);
    expect(boundToStart({ receivedUntil: new Date('2027-01-01T00:00:00Z') }, startedAt).receivedUntil).toEqual(
      startedAt,
    );
    expect(problemsOf(() => boundToStart({ receivedSince: startedAt }, startedAt)).message).toMatch(
      /^receivedSince: must be in the past/,
    );
  });

  test('more events matching than confirmed is a conflict; as many or fewer is fine', () => {
    expect(() => checkExpectedCount(3, 3)).not.toThrow();
    expect(() => checkExpectedCount(2, 3)).not.toThrow();
    expect(() => checkExpectedCount(5, undefined)).not.toThrow();
    expect(problemsOf(() => checkExpectedCount(4, 3)).code).toBe('conflict');
  });
});
