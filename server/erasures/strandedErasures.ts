/**
 * Nothing keeps an erasure `running` for ever: one whose job is gone (removed by hand) or
 * used up graphile-worker's attempts (failing for days on end, an outage or a bug) would
 * erase nothing more yet hold one of the places MAX_RUNNING_ERASURES allows, and say the
 * data subject's events are on their way out. Such an erasure gets its job again, with
 * fresh attempts: its state is in its row, so it goes on where its last batch committed.
 *
 * A running erasure always has its job otherwise: the job is added, or replaced, in the
 * transaction that starts the erasure and in each batch's, so no pass here races one.
 */
import type { Queryable } from '../db/queryable.ts';
import { ERASURE_TASK, scheduleErasure } from './erasureTask.ts';

export interface StrandedErasure {
  id: string;
  /** The last error of the job that gave up; null when there was no job. */
  lastError: string | null;
}

/** Gives every stranded running erasure its job again, and says which. */
export async function resumeStrandedErasures(db: Queryable): Promise<StrandedErasure[]> {
  const { rows } = await db.query<{ id: string; last_error: string | null }>(
    `select e.id, (select j.last_error from graphile_worker._private_jobs j where j.key = 'erasure:' || e.id) as last_error
       from erasure e
      where e.status = 'running'
        and not exists (select 1 from graphile_worker._private_jobs j
                         where j.key = 'erasure:' || e.id
                           and j.task_id = (select id from graphile_worker._private_tasks where identifier = $1)
                           and (j.attempts < j.max_attempts or j.locked_at is not null))`,
    [ERASURE_TASK],
  );
  for (const row of rows) await scheduleErasure(db, row.id);
  return rows.map((row) => ({ id: row.id, lastError: row.last_error }));
}
