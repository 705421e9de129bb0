import { InvalidArgumentError } from 'commander';
import { describe, expect, test } from 'vitest';
import { isoTime } from './parse.ts';

describe('a time given on the command line', () => {
  test('an ISO 8601 date or date-time is sent as UTC', () => {
    expect(isoTime('2026-11-28T10:00:00Z')).toBe('2026-11-28T10:00:00.000Z');
    expect(isoTime('2026-11-28T10:00:00.250+01:00')).toBe('2026-11-28T09:00:00.250Z');
    expect(isoTime('2026-11-28T10:00Z')).toBe('2026-11-28T10:00:00.000Z');
    expect(isoTime('2026-11-28')).toBe('2026-11-28T00:00:00.000Z');
  });

  test('what JavaScript would guess at is refused: "Dec 3" is not 3 December 2001', () => {
    for (const loose of ['Dec 3', '12', '12/01', 'tomorrow', '2026-11-28 10:00', '2026-11-28T10:00:00'])
      expect(() => isoTime(loose), loose).toThrow(InvalidArgumentError);
  });
});
