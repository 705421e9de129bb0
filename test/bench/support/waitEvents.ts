/**
 * What PostgreSQL's backends were doing during a measured window: pg_stat_activity is
 * sampled every 100 ms (each sample costs the server a few ms of CPU), and each sample of an active backend counts for its wait event
 * (or "running" when it waits for nothing). A lock that serialises commits shows up
 * here as many backends waiting on the same event, however fast each statement is.
 */
import type pg from 'pg';

export interface WaitShare {
  /** `type: event`, `running`, or `idle in transaction`. */
  event: string;
  /** Share of all active-backend samples. */
  share: number;
  /** Backends in this state on average. */
  backends: number;
}

export function sampleWaitEvents(pool: pg.Pool, intervalMs = 100) {
  const counts = new Map<string, number>();
  let samples = 0;
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const started = performance.now();
      try {
        const { rows } = await pool.query<{ state: string; wait: string | null }>(
          `select state, case when wait_event is null then null else wait_event_type || ': ' || wait_event end as wait
             from pg_stat_activity
            where datname = current_database() and backend_type = 'client backend' and pid <> pg_backend_pid()
              and state in ('active', 'idle in transaction') and application_name <> 'hookpost-bench'`,
        );
        samples += 1;
        for (const row of rows) {
          const key =
            row.state === 'idle in transaction'
              ? 'idle in transaction (client working)'
              : (row.wait ?? 'running (on CPU or runnable)');
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
      } catch {
        // A sample lost to a busy pool is not worth failing a run over.
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, intervalMs - (performance.now() - started))));
    }
  })();
  return {
    async stop(): Promise<WaitShare[]> {
      stopped = true;
      await loop;
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      return [...counts]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 10)
        .map(([event, n]) => ({ event, share: total ? n / total : 0, backends: samples ? n / samples : 0 }));
    },
  };
}
