/**
 * The state of the live connection, as a tiny store React reads with
 * useSyncExternalStore: the indicator in the header shows it, and views refetch what
 * they show when `resyncs` goes up (after a reconnect, or when the server says it may
 * have missed changes), because pushed updates cannot be replayed.
 */
import { useSyncExternalStore } from 'react';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting';

export interface ConnectionStatus {
  state: ConnectionState;
  /** When the connection was last lost (epoch ms), while it is not live. */
  lostAt: number | null;
  /** Goes up by one each time views must refetch what they show. */
  resyncs: number;
}

export interface ConnectionStore {
  get(): ConnectionStatus;
  subscribe(listener: () => void): () => void;
  connected(wasRetry: boolean): void;
  lost(): void;
  resync(): void;
}

export function makeConnectionStore(): ConnectionStore {
  let status: ConnectionStatus = { state: 'connecting', lostAt: null, resyncs: 0 };
  const listeners = new Set<() => void>();
  const set = (next: ConnectionStatus) => {
    status = next;
    for (const listener of listeners) listener();
  };
  return {
    get: () => status,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    connected(wasRetry) {
      set({ state: 'live', lostAt: null, resyncs: status.resyncs + (wasRetry || status.lostAt !== null ? 1 : 0) });
    },
    lost() {
      if (status.state === 'reconnecting') return;
      set({ ...status, state: 'reconnecting', lostAt: Date.now() });
    },
    resync() {
      set({ ...status, resyncs: status.resyncs + 1 });
    },
  };
}

export function useConnectionStatus(store: ConnectionStore): ConnectionStatus {
  return useSyncExternalStore(store.subscribe, store.get);
}
