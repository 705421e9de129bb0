import { describe, expect, test } from 'vitest';
import { makeConnectionStore } from './connectionStatus.ts';
import { reconnectDelayMs } from './makeClient.ts';

describe('the live connection status', () => {
  test('connecting, live, lost, live again: views are told to refetch once it is back', () => {
    const store = makeConnectionStore();
    expect(store.get()).toMatchObject({ state: 'connecting', resyncs: 0 });
    store.connected(false);
    expect(store.get()).toMatchObject({ state: 'live', resyncs: 0 });
    store.lost();
    expect(store.get().state).toBe('reconnecting');
    expect(store.get().lostAt).not.toBeNull();
    store.connected(true);
    expect(store.get()).toMatchObject({ state: 'live', lostAt: null, resyncs: 1 });
    store.resync();
    expect(store.get().resyncs).toBe(2);
  });

  test('reconnects back off from half a second to at most ten, with jitter', () => {
    expect(reconnectDelayMs(0, () => 0.5)).toBe(500);
    expect(reconnectDelayMs(3, () => 0.5)).toBe(4000);
    expect(reconnectDelayMs(10, () => 0.5)).toBe(10_000);
    expect(reconnectDelayMs(10, () => 1)).toBe(12_500);
    expect(reconnectDelayMs(0, () => 0)).toBe(375);
  });
});
