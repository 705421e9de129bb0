import { describe, expect, test } from 'vitest';
import { headerAsSent } from './headerAsSent.ts';

describe('headerAsSent', () => {
  test('a header sent once is its value, in any case', () => {
    expect(headerAsSent(['Host', 'x', 'X-Ordering-Key', 'a, b'], 'x-ordering-key')).toBe('a, b');
  });
  test('a header sent twice is both values, not one joined value', () => {
    expect(headerAsSent(['x-ordering-key', 'a', 'host', 'x', 'X-ORDERING-KEY', 'b'], 'x-ordering-key')).toEqual([
      'a',
      'b',
    ]);
  });
  test('a header not sent is undefined', () => {
    expect(headerAsSent(['host', 'x'], 'x-ordering-key')).toBeUndefined();
  });
});
