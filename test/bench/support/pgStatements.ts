/** The statements that took PostgreSQL's time during a scenario, from pg_stat_statements. */
import type pg from 'pg';

export interface Statement {
  query: string;
  calls: number;
  totalMs: number;
  meanMs: number;
  /**
   * Time spent planning it, over all its executions (pg_stat_statements.track_planning):
   * a statement PostgreSQL plans at every execution shows here, not in its mean.
   */
  planMs: number;
  rows: number;
  /** Share of all statement time in the window, planning included. */
  share: number;
}

export async function resetStatements(pool: pg.Pool, enabled: boolean): Promise<void> {
  if (enabled) await pool.query('select pg_stat_statements_reset()');
}

export async function topStatements(pool: pg.Pool, enabled: boolean, limit = 12): Promise<Statement[]> {
  if (!enabled) return [];
  const { rows } = await pool.query<{
    query: string;
    calls: string;
    total: number;
    mean: number;
    plan: number;
    rows: string;
    share: number;
  }>(
    `select regexp_replace(query, '\\s+', ' ', 'g') as query, calls, total_exec_time as total, mean_exec_time as mean,
            total_plan_time as plan, rows,
            (total_exec_time + total_plan_time) / nullif(sum(total_exec_time + total_plan_time) over (), 0) as share
       from pg_stat_statements
      where dbid = (select oid from pg_database where datname = current_database())
        -- The bench's own wait-event sampling (waitEvents.ts) is not Hookpost's work.
        and query not like '%from pg_stat_activity%'
      order by total_exec_time + total_plan_time desc
      limit $1`,
    [limit],
  );
  return rows.map((r) => ({
    query: r.query.length > 300 ? `${r.query.slice(0, 297)}...` : r.query,
    calls: Number(r.calls),
    totalMs: r.total,
    meanMs: r.mean,
    planMs: r.plan,
    rows: Number(r.rows),
    share: r.share ?? 0,
  }));
}
