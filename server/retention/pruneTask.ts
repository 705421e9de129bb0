/**
 * The `prune` task: a prune pass (prunePass.ts) every minute, run by whichever worker
 * takes the cron job. Its own queue runs one pass at a time across every worker, and its
 * job key keeps at most one waiting; a pass that runs out of time leaves the rest to the
 * next minute's.
 */
import { parseCronItems, type ParsedCronItem, type Task } from 'graphile-worker';
import type pg from 'pg';
import type { Logger } from '../logger.ts';
import { prunePass, type RetentionConfig } from './prunePass.ts';

export const PRUNE_TASK = 'prune';

export const pruneCronItems: ParsedCronItem[] = parseCronItems([
  {
    task: PRUNE_TASK,
    match: '* * * * *',
    identifier: PRUNE_TASK,
    options: { queueName: 'retention', jobKey: PRUNE_TASK, jobKeyMode: 'preserve_run_at', maxAttempts: 1 },
  },
]);

export function makePruneTask(deps: { pool: pg.Pool; config: RetentionConfig; logger: Logger }): Task {
  return async (_payload, helpers) => {
    const started = Date.now();
    const pruned = await prunePass(deps, { signal: helpers.abortSignal });
    const total = pruned.events + pruned.responseBodies + pruned.auditEntries + pruned.erasures;
    if (total === 0) return;
    deps.logger.info(
      { ...pruned, durationMs: Date.now() - started },
      `Retention pruned ${pruned.events} events, ${pruned.responseBodies} response bodies, ${pruned.auditEntries} audit entries and ${pruned.erasures} ended erasures in ${Date.now() - started} ms${pruned.finished ? '' : '; the next pass goes on'}.`,
    );
  };
}
