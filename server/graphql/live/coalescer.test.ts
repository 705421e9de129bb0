import { describe, expect, test } from 'vitest';
import { Coalescer } from './coalescer.ts';

describe('a subscriber buffer', () => {
  test('repeated changes of one key are merged into one item at the newest position', () => {
    const buffer = new Coalescer<{ id: string; status: string; attempt: number | null }>(10, (waiting, next) => ({
      ...next,
      attempt: next.attempt ?? waiting.attempt,
    }));
    buffer.add('a', { id: 'a', status: 'delivering', attempt: null });
    buffer.add('b', { id: 'b', status: 'queued', attempt: null });
    buffer.add('a', { id: 'a', status: 'delivered', attempt: 1 });
    buffer.add('b', { id: 'b', status: 'delivering', attempt: null });
    expect(buffer.take()).toEqual({
      items: [
        { id: 'a', status: 'delivered', attempt: 1 },
        { id: 'b', status: 'delivering', attempt: null },
      ],
      skipped: 0,
      resync: false,
    });
    expect(buffer.isEmpty).toBe(true);
  });

  test('a burst keeps the newest items and counts the dropped ones', () => {
    const buffer = new Coalescer<number>(3);
    for (let i = 0; i < 1000; i++) buffer.add(String(i), i);
    expect(buffer.take()).toEqual({ items: [997, 998, 999], skipped: 997, resync: false });
  });

  test('a resync is sent even when nothing else waits', () => {
    const buffer = new Coalescer<number>(3);
    buffer.markResync();
    expect(buffer.isEmpty).toBe(false);
    expect(buffer.take()).toEqual({ items: [], skipped: 0, resync: true });
    expect(buffer.isEmpty).toBe(true);
  });

  test('a subscriber behind its feed merges the batches it missed, counts and resync included', () => {
    const feed = new Coalescer<{ id: string; n: number }>(2);
    const behind = new Coalescer<{ id: string; n: number }>(2);
    feed.add('a', { id: 'a', n: 1 });
    behind.absorb(feed.take(), (item) => item.id);
    feed.add('b', { id: 'b', n: 2 });
    feed.add('a', { id: 'a', n: 3 });
    feed.add('c', { id: 'c', n: 4 });
    feed.markResync();
    behind.absorb(feed.take(), (item) => item.id);
    expect(behind.take()).toEqual({
      items: [
        { id: 'a', n: 3 },
        { id: 'c', n: 4 },
      ],
      // b, dropped by the feed's own buffer.
      skipped: 1,
      resync: true,
    });
  });
});
