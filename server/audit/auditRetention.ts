/**
 * Audit retention: entries older than HOOKPOST_AUDIT_RETENTION_DAYS (default 365; 0 keeps
 * them forever) are deleted by a periodic graphile-worker job, hourly, by any one worker
 * of the cluster (graphile-worker's cron schedules each run once). It deletes in small
 * batches, each its own statement, so it never holds many row locks or one long
 * transaction, and the audit log stays readable while it runs. A run stops after
 * `maxBatches`; what is left goes in the next hour's run.
 */
import type { CronItem, Task } from 'graphile-worker';
import type { Queryable } from '../db/queryable.ts';
import type { Logger } from '../logger.ts';

export const AUDIT_RETENTION_TASK = 'audit_retention';

/** Hourly, at a minute off the round hour; one job at a time (its key), no backfill after downtime. */
export const auditRetentionCron: CronItem = {
  task: AUDIT_RETENTION_TASK,
  match: '23 * * * *',
  identifier: AUDIT_RETENTION_TASK,
  options: { backfillPeriod: 0, jobKey: AUDIT_RETENTION_TASK, jobKeyMode: 'replace' },
};

export interface AuditRetentionRules {
  /** Entries older than this many days go; 0 keeps them forever. */
  retentionDays: number;
  /** Rows per delete statement. Default 1000. */
  batchSize?: number;
  /** Statements per run at most. Default 1000. */
  maxBatches?: number;
}

/** Deletes one batch of expired entries, oldest first; returns how many. */
async function deleteExpiredBatch(db: Queryable, retentionDays: number, batchSize: number): Promise<number> {
  const result = await db.query(
    `delete from audit_entry where id in (
       select id from audit_entry where at < now() - make_interval(days => $1) order by at limit $2)`,
    [retentionDays, batchSize],
  );
  return result.rowCount ?? 0;
}

/** One retention run: batches until none is full (or `maxBatches`); returns the entries deleted. */
export async function runAuditRetention(
  deps: { db: Queryable; logger: Logger },
  rules: AuditRetentionRules,
): Promise<number> {
  const { retentionDays, batchSize = 1_000, maxBatches = 1_000 } = rules;
  if (retentionDays <= 0) return 0;
  let deleted = 0;
  for (let batch = 0; batch < maxBatches; batch++) {
    const count = await deleteExpiredBatch(deps.db, retentionDays, batchSize);
    deleted += count;
    if (count < batchSize) break;
  }
  if (deleted > 0)
    deps.logger.info(
      { deleted, retentionDays },
      `Audit retention deleted ${deleted} audit entries older than ${retentionDays} days.`,
    );
  return deleted;
}

export function makeAuditRetentionTask(deps: { db: Queryable; logger: Logger }, rules: AuditRetentionRules): Task {
  return async () => {
    await runAuditRetention(deps, rules);
  };
}
