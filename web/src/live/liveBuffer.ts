/**
 * The client side of coalescing. The server already sends at most one payload per
 * 200 ms per subscription, but a page has several subscriptions and each payload would
 * be a render; under thousands of deliveries per second that is still too many for a
 * table of hundreds of rows. So pushed rows gather here, the newest version of each row
 * wins (the `newer` of two versions), and the page gets one batch per window (`windowMs`, default 100 ms, and
 * only when the tab is visible): one state update, one render, whatever the rate.
 */
export interface LiveBatch<R> {
  received: R[];
  updated: R[];
}

export interface LiveBuffer<R> {
  received(rows: R[]): void;
  updated(rows: R[]): void;
  /** Delivers what waits now (tests, and when the tab becomes visible). */
  flush(): void;
  stop(): void;
}

export function makeLiveBuffer<R extends { id: string }>(
  onBatch: (batch: LiveBatch<R>) => void,
  options: { windowMs?: number; isHidden?: () => boolean; newer?: (a: R, b: R) => R } = {},
): LiveBuffer<R> {
  const windowMs = options.windowMs ?? 100;
  const newer = options.newer ?? ((_a: R, b: R) => b);
  const isHidden = options.isHidden ?? (() => typeof document !== 'undefined' && document.visibilityState === 'hidden');
  let received = new Map<string, R>();
  let updated = new Map<string, R>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const flush = () => {
    timer = undefined;
    if (stopped || (received.size === 0 && updated.size === 0)) return;
    // A hidden tab keeps gathering (still one row per id) and renders once it is seen.
    if (isHidden()) return;
    const batch = { received: [...received.values()], updated: [...updated.values()] };
    received = new Map();
    updated = new Map();
    onBatch(batch);
  };
  const schedule = () => {
    if (!timer && !stopped) timer = setTimeout(flush, windowMs);
  };
  const onVisible = () => {
    if (!isHidden()) flush();
  };
  if (typeof document !== 'undefined') document.addEventListener('visibilitychange', onVisible);

  return {
    received(rows) {
      for (const row of rows) {
        const known = received.get(row.id) ?? updated.get(row.id);
        received.set(row.id, known ? newer(known, row) : row);
        updated.delete(row.id);
      }
      schedule();
    },
    updated(rows) {
      for (const row of rows) {
        const inReceived = received.get(row.id);
        if (inReceived) received.set(row.id, newer(inReceived, row));
        else updated.set(row.id, updated.has(row.id) ? newer(updated.get(row.id)!, row) : row);
      }
      schedule();
    },
    flush() {
      if (timer) clearTimeout(timer);
      flush();
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      if (typeof document !== 'undefined') document.removeEventListener('visibilitychange', onVisible);
    },
  };
}
