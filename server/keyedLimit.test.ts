import { describe, expect, test } from 'vitest';
import { keyedLimit } from './keyedLimit.ts';

/** A task that runs until `release` is called, counting how many of its key run at once. */
function gate() {
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  return { done, release };
}

describe('keyedLimit', () => {
  test('runs at most `concurrency` tasks of one key at once, and other keys beside them', async () => {
    const limit = keyedLimit(2);
    const running: Record<string, number> = { a: 0, b: 0 };
    const most: Record<string, number> = { a: 0, b: 0 };
    const gates = Array.from({ length: 6 }, gate);
    const tasks = gates.map((g, i) => {
      const key = i < 4 ? 'a' : 'b';
      return limit(key, async () => {
        running[key]!++;
        most[key] = Math.max(most[key]!, running[key]!);
        await g.done;
        running[key]!--;
        return i;
      });
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    // Two of a's four and both of b's are running.
    expect(running).toEqual({ a: 2, b: 2 });
    for (const g of gates) g.release();
    expect(await Promise.all(tasks)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(most).toEqual({ a: 2, b: 2 });
  });

  test("a task that fails frees its key's place for the next", async () => {
    const limit = keyedLimit(1);
    const failed = limit('a', () => Promise.reject(new Error('lost connection')));
    const next = limit('a', async () => 'next');
    await expect(failed).rejects.toThrow('lost connection');
    await expect(next).resolves.toBe('next');
  });
});
