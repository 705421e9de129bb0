/**
 * Audit retention: entries older than the retention period are deleted in batches, the
 * rest stay; 0 days keeps everything; and a worker schedules the hourly run
 * (graphile-worker's cron, registered as a known crontab).
 */
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { recordAudit } from '../server/audit/auditLog.ts';
import { AUDIT_RETENTION_TASK, runAuditRetention } from '../server/audit/auditRetention.ts';
import { createLogger } from '../server/logger.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { startTestHookpost } from './support/hookpost.ts';

let db: TestDatabase;
const logger = createLogger({ level: 'silent', pretty: false });
const ada = { tokenId: '0193a1b2-0000-7000-8000-00000000000a', name: 'Ada', role: 'admin' as const };

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db?.drop();
});

/** An entry recorded `daysAgo` days ago, named by its mailbox id. */
async function entryFrom(daysAgo: number, id: string) {
  await recordAudit(db.pool, ada, { action: 'mailbox.update', target: { type: 'mailbox', id } });
  await db.pool.query(`update audit_entry set at = now() - make_interval(days => $1) where target_id = $2`, [
    daysAgo,
    id,
  ]);
}
const kept = async () =>
  (await db.pool.query<{ id: string }>(`select target_id as id from audit_entry order by target_id`)).rows.map(
    (row) => row.id,
  );

describe('audit retention', () => {
  test('deletes the entries older than the period, a small batch at a time, and keeps the rest', async () => {
    for (let i = 0; i < 5; i++) await entryFrom(400 + i, `old-${i}`);
    await entryFrom(366, 'just-past');
    await entryFrom(364, 'just-within');
    await entryFrom(0, 'today');

    expect(await runAuditRetention({ db: db.pool, logger }, { retentionDays: 0 })).toBe(0);
    expect(await kept()).toHaveLength(8);

    expect(await runAuditRetention({ db: db.pool, logger }, { retentionDays: 365, batchSize: 2 })).toBe(6);
    expect(await kept()).toEqual(['just-within', 'today']);
    expect(await runAuditRetention({ db: db.pool, logger }, { retentionDays: 365, batchSize: 2 })).toBe(0);
  });

  test('a run stops after its batches; the next run goes on', async () => {
    for (let i = 0; i < 5; i++) await entryFrom(500, `older-${i}`);
    expect(await runAuditRetention({ db: db.pool, logger }, { retentionDays: 365, batchSize: 2, maxBatches: 1 })).toBe(
      2,
    );
    expect(await runAuditRetention({ db: db.pool, logger }, { retentionDays: 365, batchSize: 2 })).toBe(3);
    expect(await kept()).toEqual(['just-within', 'today']);
  });

  test('a worker schedules it hourly, once for the cluster', async () => {
    const worker = await startTestHookpost(db.url, { role: 'worker', auditRetentionDays: 365 });
    try {
      await vi.waitFor(
        async () =>
          expect(
            await db.count('graphile_worker._private_known_crontabs', `identifier = '${AUDIT_RETENTION_TASK}'`),
          ).toBe(1),
        { timeout: 15_000, interval: 100 },
      );
    } finally {
      await worker.stop();
    }
  });
});
