/**
 * One prune pass: settled events past their mailbox's retention (with their deliveries,
 * dead letters and attempts), captured response bodies past theirs, audit entries (and
 * ended bulk erasures, whose filters name data subjects) past theirs. Idempotency keys
 * are columns of their events: they need no pass of their own (ingest/idempotency.ts).
 *
 * Why batched deletes and not time-partitioned tables dropped whole: partitioning the
 * event, delivery and attempt tables by time would change every primary key (a
 * partitioned table's unique keys must include the partition column) and every query
 * and foreign key that uses them, and retention differs per mailbox anyway. Ids are
 * UUIDv7, so "older than" is a range of the primary key (or of an index already there),
 * and deleting a few hundred rows per short transaction is cheap. Between batches the
 * pass pauses, so ingest (which touches only new rows: no lock in common) keeps the
 * database's attention; and a pass stops after its time budget, the next one going on.
 */
import type pg from 'pg';
import type { Config } from '../config.ts';
import { withTransaction } from '../db/pool.ts';
import { deleteSettledEvents } from '../deliveries/deleteSettled.ts';
import { firstIdAt } from '../events/trackingNumberRange.ts';
import { retentionCutoff } from './retentionRules.ts';
import {
  clearResponseBodies,
  deleteOldAuditEntries,
  deleteOldErasures,
  mailboxRetentions,
  oldSettledEvents,
  responseBodiesMark,
  setResponseBodiesMark,
} from './sql/pruneSql.ts';

export type RetentionConfig = Pick<Config, 'retentionDays' | 'responseBodyRetentionDays' | 'auditRetentionDays'>;

export interface PruneOptions {
  /** The present, as far as retention is concerned. Default: now. */
  now?: Date;
  /** Stops the pass between batches. */
  signal?: AbortSignal;
  /** A pass stops starting batches after this long, in ms; the next pass goes on. Default 50 s. */
  budgetMs?: number;
  /** Rows per batch (events per transaction). Default 500. */
  batchSize?: number;
  /** Pause between batches, in ms. Default 20. */
  pauseMs?: number;
}

export interface Pruned {
  events: number;
  responseBodies: number;
  auditEntries: number;
  /** Ended bulk erasures, gone with the audit log's retention. */
  erasures: number;
  /** False when the pass stopped (budget, signal) with more left to do. */
  finished: boolean;
}

const NIL_ID = '00000000-0000-0000-0000-000000000000';

export async function prunePass(
  deps: { pool: pg.Pool; config: RetentionConfig },
  options: PruneOptions = {},
): Promise<Pruned> {
  const { now = new Date(), signal, budgetMs = 50_000, batchSize = 500, pauseMs = 20 } = options;
  const { pool, config } = deps;
  const stopAt = Date.now() + budgetMs;
  const pruned: Pruned = {
    events: 0,
    responseBodies: 0,
    auditEntries: 0,
    erasures: 0,
    finished: true,
  };
  let first = true;
  /** Whether another batch may start (pausing before it). */
  const goOn = async (): Promise<boolean> => {
    if (signal?.aborted || Date.now() >= stopAt) {
      pruned.finished = false;
      return false;
    }
    if (!first && pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    first = false;
    return true;
  };

  for (const { mailboxId, days } of await mailboxRetentions(pool, config.retentionDays)) {
    const beforeId = firstIdAt(retentionCutoff(now, days)!);
    let afterId = NIL_ID;
    while (await goOn()) {
      const candidates = await oldSettledEvents(pool, mailboxId, afterId, beforeId, batchSize);
      if (candidates.length === 0) break;
      const deleted = await withTransaction(pool, (tx) => deleteSettledEvents(tx, candidates));
      pruned.events += deleted.length;
      afterId = candidates.at(-1)!;
      if (candidates.length < batchSize) break;
    }
  }

  const bodiesBefore = retentionCutoff(now, config.responseBodyRetentionDays);
  if (bodiesBefore) {
    let afterId = (await responseBodiesMark(pool)) ?? NIL_ID;
    while (await goOn()) {
      const batch = await clearResponseBodies(pool, afterId, firstIdAt(bodiesBefore), batchSize);
      pruned.responseBodies += batch.cleared;
      if (!batch.lastId) break;
      afterId = batch.lastId;
      await setResponseBodiesMark(pool, afterId);
    }
  }

  const auditBefore = retentionCutoff(now, config.auditRetentionDays);
  while (auditBefore && (await goOn())) {
    const deleted = await deleteOldAuditEntries(pool, auditBefore, batchSize);
    pruned.auditEntries += deleted;
    if (deleted < batchSize) break;
  }
  while (auditBefore && (await goOn())) {
    const deleted = await deleteOldErasures(pool, auditBefore, batchSize);
    pruned.erasures += deleted;
    if (deleted < batchSize) break;
  }
  return pruned;
}
