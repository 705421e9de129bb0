import { describe, expect, test } from 'vitest';
import { AppError } from '../errors.ts';
import { assertNoLoop, hopsOf, MAX_HOPS } from './hops.ts';

describe('hops', () => {
  test('a request without the header has passed through Hookpost 0 times', () => {
    expect(hopsOf(undefined)).toBe(0);
    expect(hopsOf('2')).toBe(2);
    expect(hopsOf([' 1 '])).toBe(1);
  });

  test('a value that is not a small whole number is refused', () => {
    for (const bad of ['', 'x', '-1', '1.5', '99999', '1e3'])
      expect(() => hopsOf(bad), bad).toThrow(expect.objectContaining({ code: 'bad_request' }));
  });

  test(`events past ${MAX_HOPS} hops are refused as a delivery loop`, () => {
    expect(() => assertNoLoop(MAX_HOPS - 1)).not.toThrow();
    expect(() => assertNoLoop(MAX_HOPS)).toThrow(AppError);
    expect(() => assertNoLoop(MAX_HOPS)).toThrow(expect.objectContaining({ code: 'delivery_loop', status: 422 }));
  });
});
