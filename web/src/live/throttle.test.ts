import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { makeThrottle } from './throttle.ts';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('a throttled refetch', () => {
  test('the first call runs at once; a storm of calls runs once more per window', async () => {
    const run = vi.fn();
    const throttle = makeThrottle(run, 3000);
    throttle.call();
    await vi.advanceTimersByTimeAsync(0);
    expect(run).toHaveBeenCalledTimes(1);
    for (let i = 0; i < 100; i++) throttle.call();
    await vi.advanceTimersByTimeAsync(2999);
    expect(run).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(run).toHaveBeenCalledTimes(2);
  });

  test('a call during a run queues one more run after it', async () => {
    let finish = () => {};
    const run = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    const throttle = makeThrottle(run, 0);
    throttle.call();
    await vi.advanceTimersByTimeAsync(0);
    throttle.call();
    throttle.call();
    expect(run).toHaveBeenCalledTimes(1);
    finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(run).toHaveBeenCalledTimes(2);
  });

  test('cancelled, it runs nothing more', async () => {
    const run = vi.fn();
    const throttle = makeThrottle(run, 1000);
    throttle.call();
    await vi.advanceTimersByTimeAsync(0);
    throttle.call();
    throttle.cancel();
    await vi.advanceTimersByTimeAsync(5000);
    expect(run).toHaveBeenCalledTimes(1);
  });
});
