import { describe, expect, test } from 'vitest';
import { describeReplayFilter, emptyReplayForm, replayFilterOf } from './replayFilter.ts';

const scope = { endpointId: 'e1' };

describe('the replay filter', () => {
  test('an empty form takes every dead letter of the endpoint', () => {
    expect(replayFilterOf(emptyReplayForm, scope)).toEqual({ ok: true, filter: { endpointId: 'e1' } });
  });

  test('times, kinds and statuses become the filter, sorted and without repeats', () => {
    const since = '2026-12-02T14:00';
    const result = replayFilterOf(
      { failedSince: since, failedUntil: '', errorKinds: ['timeout', 'http_status'], statusCodes: '503, 500 503' },
      scope,
    );
    expect(result).toEqual({
      ok: true,
      filter: {
        endpointId: 'e1',
        failedSince: new Date(since).toISOString(),
        errorKinds: ['http_status', 'timeout'],
        statusCodes: [500, 503],
      },
    });
  });

  test('mistakes are named per field', () => {
    const result = replayFilterOf(
      { failedSince: '2026-12-02T15:00', failedUntil: '2026-12-02T14:00', errorKinds: [], statusCodes: '99, abc' },
      scope,
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && Object.keys(result.errors).sort()).toEqual(['failedUntil', 'statusCodes']);
  });

  test('in words', () => {
    const format = (iso: string) => iso.slice(11, 16);
    expect(describeReplayFilter({ endpointId: 'e1' }, format)).toBe('whenever and however they failed');
    expect(
      describeReplayFilter(
        { endpointId: 'e1', failedSince: '2026-12-02T14:00:00.000Z', statusCodes: [500, 503] },
        format,
      ),
    ).toBe('that failed since 14:00, answered HTTP 500 or 503');
  });
});
