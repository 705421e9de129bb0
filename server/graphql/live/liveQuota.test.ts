import { describe, expect, test } from 'vitest';
import { AppError } from '../../errors.ts';
import { createLiveQuota } from './liveQuota.ts';

describe('live quota', () => {
  test('a token holds at most its places; giving one back (once) frees one; tokens are apart', () => {
    const quota = createLiveQuota(2);
    const first = quota.take('a');
    quota.take('a');
    expect(() => quota.take('a')).toThrow(AppError);
    expect(() => quota.take('a')).toThrow(/already has 2 live subscriptions/);
    quota.take('b');
    first();
    first();
    expect(quota.held('a')).toBe(1);
    quota.take('a');
    expect(quota.held('a')).toBe(2);
    expect(quota.held('b')).toBe(1);
  });
});
