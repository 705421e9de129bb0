/**
 * One clock for every relative timestamp on the page, ticking every 5 s. A timestamp
 * reads the clock through `useClockText`, whose snapshot is its own text ("12s ago"):
 * React re-renders a timestamp only when its text changes, not every one at every tick,
 * and nothing else re-renders at all.
 */
import { useCallback, useSyncExternalStore } from 'react';

const TICK_MS = 5_000;
let now = Date.now();
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | undefined;

function subscribe(listener: () => void) {
  listeners.add(listener);
  timer ??= setInterval(() => {
    now = Date.now();
    for (const notify of listeners) notify();
  }, TICK_MS);
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

/** The clock's time; the component re-renders at every tick. */
export function useNow(): number {
  return useSyncExternalStore(subscribe, () => now);
}

/** `render(now)` at every tick, re-rendering the component only when the text it gives changes. */
export function useClockText(render: (now: number) => string): string {
  const snapshot = useCallback(() => render(now), [render]);
  return useSyncExternalStore(subscribe, snapshot);
}
