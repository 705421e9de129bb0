/**
 * Whether a `deliver` job that can still run names a delivery: one not yet run, waiting
 * for its run_at, or running now. A job that used up graphile-worker's own attempts
 * stays in the table but never runs again, so it does not count.
 */
import { DELIVER_TASK } from '../deliverJobs.ts';

/** The `deliver` jobs that can still run. */
export const liveDeliverJobs = `
  select j.payload from graphile_worker._private_jobs j
   where j.task_id = (select id from graphile_worker._private_tasks where identifier = '${DELIVER_TASK}')
     and (j.attempts < j.max_attempts or j.locked_at is not null)`;

/** SQL: true when a live job names the delivery whose id is in `column`. */
export function hasLiveJob(column: string): string {
  return `exists (select 1 from (${liveDeliverJobs}) lj
                   where lj.payload::jsonb -> 'deliveries' @> jsonb_build_array(jsonb_build_object('id', ${column})))`;
}
