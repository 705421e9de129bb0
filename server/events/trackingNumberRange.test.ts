import { describe, expect, test } from 'vitest';
import { newId } from '../ids.ts';
import { firstIdAt, prefixRange, timeOfId } from './trackingNumberRange.ts';

describe('tracking number ranges', () => {
  test('an id made now sorts between the first ids of the surrounding milliseconds', () => {
    const before = Date.now();
    const id = newId();
    const after = Date.now() + 1;
    expect(firstIdAt(new Date(before)) <= id).toBe(true);
    expect(id < firstIdAt(new Date(after))).toBe(true);
    expect(timeOfId(id).getTime()).toBeGreaterThanOrEqual(before);
  });

  test('a prefix becomes an inclusive range of UUIDs, hyphens and case ignored', () => {
    expect(prefixRange('0193A1B2-C')).toEqual({
      from: '0193a1b2-c000-0000-0000-000000000000',
      to: '0193a1b2-cfff-ffff-ffff-ffffffffffff',
    });
    expect(prefixRange('019')).toEqual({
      from: '01900000-0000-0000-0000-000000000000',
      to: '019fffff-ffff-ffff-ffff-ffffffffffff',
    });
  });

  test('a prefix that cannot start a UUID has no range', () => {
    expect(prefixRange('xyz')).toBeNull();
    expect(prefixRange('')).toBeNull();
    expect(prefixRange('0'.repeat(33))).toBeNull();
  });
});
