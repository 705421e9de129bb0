/**
 * Whether this process can do its job: the database answers, and where a delivery worker
 * runs, its runner is running (it is being replaced after a failure otherwise). Served
 * by /readyz, so an orchestrator stops routing to, or restarts, a process that idles.
 */
import type pg from 'pg';

export interface Readiness {
  /** What stops the process from doing its job; empty when it is ready. */
  check(): Promise<string[]>;
}

export function makeReadiness(parts: {
  pool: pg.Pool;
  /** The process's delivery worker, once started; null in processes that run none. */
  worker: () => { isRunning(): boolean } | null;
  /** How long the database may take to answer, in ms. */
  timeoutMs?: number;
}): Readiness {
  const timeoutMs = parts.timeoutMs ?? 2_000;
  return {
    async check() {
      const problems: string[] = [];
      const worker = parts.worker();
      if (worker && !worker.isRunning()) {
        problems.push('The delivery worker is being restarted after a failure.');
      }
      let timer: NodeJS.Timeout | undefined;
      const answered = await Promise.race([
        parts.pool.query('select 1').then(
          () => true,
          () => false,
        ),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      if (!answered) problems.push('The database is not reachable.');
      return problems;
    },
  };
}
