import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { makeLiveBuffer, type LiveBatch } from './liveBuffer.ts';

interface Row {
  id: string;
  version: number;
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('the live buffer', () => {
  test('a burst of pushes becomes one batch per window, one row per id, the newest version', () => {
    const batches: LiveBatch<Row>[] = [];
    const buffer = makeLiveBuffer<Row>((batch) => batches.push(batch), {
      windowMs: 100,
      isHidden: () => false,
      newer: (a, b) => (a.version > b.version ? a : b),
    });
    for (let i = 0; i < 5000; i++) buffer.updated([{ id: `e${i % 50}`, version: i }]);
    buffer.received([{ id: 'new', version: 1 }]);
    buffer.updated([{ id: 'new', version: 2 }]);
    expect(batches).toHaveLength(0);
    vi.advanceTimersByTime(100);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.updated).toHaveLength(50);
    expect(batches[0]!.updated.find((row) => row.id === 'e0')).toEqual({ id: 'e0', version: 4950 });
    expect(batches[0]!.received).toEqual([{ id: 'new', version: 2 }]);
    buffer.stop();
  });

  test('an older snapshot arriving late does not replace a newer one', () => {
    const batches: LiveBatch<Row>[] = [];
    const buffer = makeLiveBuffer<Row>((batch) => batches.push(batch), {
      isHidden: () => false,
      newer: (a, b) => (a.version > b.version ? a : b),
    });
    buffer.updated([{ id: 'a', version: 3 }]);
    buffer.received([{ id: 'a', version: 1 }]);
    buffer.flush();
    expect(batches[0]!.received).toEqual([{ id: 'a', version: 3 }]);
    buffer.stop();
  });

  test('a hidden tab keeps gathering and renders nothing until it is shown', () => {
    let hidden = true;
    const batches: LiveBatch<Row>[] = [];
    const buffer = makeLiveBuffer<Row>((batch) => batches.push(batch), { isHidden: () => hidden });
    buffer.received([{ id: 'a', version: 1 }]);
    vi.advanceTimersByTime(1000);
    expect(batches).toHaveLength(0);
    hidden = false;
    buffer.flush();
    expect(batches).toHaveLength(1);
    buffer.stop();
  });
});
