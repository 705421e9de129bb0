/**
 * Planner settings for graphile-worker's `add_jobs`, the function every ingest batch,
 * retry and replay calls to enqueue its jobs.
 *
 * `add_jobs` is plpgsql, so each of its statements is a cached plan per database session.
 * Left to itself, PostgreSQL does one of two costly things with them:
 * - It re-plans them on every call (custom plans, because a plan made for a one-element
 *   `specs` array looks cheaper than the generic one): about 0.4 ms a call here, half
 *   of what `add_jobs` costs.
 * - Or, when a session first calls it while the job table is nearly empty, it settles on
 *   a generic plan that joins the job keys with a hash join over a sequential scan of
 *   the whole job table (cheap for ten rows), and keeps it for the session's life.
 *   Once a backlog grows, every ingest batch then reads the entire job table: in the
 *   bench, 100+ pages and 0.6 ms per batch, and more with every job waiting.
 *
 * So the function always uses its generic plans (planned once per session), and those
 * plans join by index (nested loops on the unique `key` and `identifier` indexes), which
 * stays one index probe per job however large the table grows. The settings belong to
 * the function alone and are restored when it returns, so they touch no other query.
 *
 * graphile-worker's migrations may replace the function (and its settings) in a later
 * release; this runs after them at every start, and only writes when something differs.
 */
import type pg from 'pg';
import type { Logger } from '../logger.ts';

export const ADD_JOBS = 'graphile_worker.add_jobs(graphile_worker.job_spec[], boolean)';

/** `name=value`, as PostgreSQL keeps a function's settings in `pg_proc.proconfig`. */
export const ADD_JOBS_SETTINGS = ['plan_cache_mode=force_generic_plan', 'enable_hashjoin=off', 'enable_mergejoin=off'];

export async function settleAddJobsPlans(client: pg.ClientBase, logger: Logger): Promise<void> {
  const { rows } = await client.query<{ settings: string[] | null }>(
    `select proconfig as settings from pg_proc where oid = to_regprocedure($1)`,
    [ADD_JOBS],
  );
  const current = rows[0]?.settings ?? [];
  if (ADD_JOBS_SETTINGS.every((setting) => current.includes(setting))) return;
  const clauses = ADD_JOBS_SETTINGS.map((setting) => {
    const [name, value] = setting.split('=');
    return `set ${name} = ${value}`;
  });
  try {
    await client.query(`alter function ${ADD_JOBS} ${clauses.join(' ')}`);
  } catch (error) {
    // Only the function's owner may alter it; a database where someone else installed
    // graphile-worker still works, just with PostgreSQL's default planning.
    logger.warn(
      { err: error },
      'Could not set the planner settings of graphile_worker.add_jobs; enqueueing jobs will be slower.',
    );
  }
}
