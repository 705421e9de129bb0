/**
 * Of two snapshots of a background job that only moves forward (a replay, an erasure), the
 * one to show: the later one wins unless it is behind, still running when the other had
 * ended, or fewer done while both run (pushes and refetches can arrive out of order).
 */
export function newerProgress<T extends { status: string }>(done: (snapshot: T) => number) {
  return (a: T, b: T): T => {
    if (a.status !== 'running' && b.status === 'running') return a;
    return done(b) >= done(a) || b.status !== 'running' ? b : a;
  };
}
