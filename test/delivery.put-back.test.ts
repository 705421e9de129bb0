/**
 * Jobs put back because their endpoint runs its share (server/delivery/putBack.ts), in a
 * real graphile-worker queue: a backlog put back together is booked one turn apart at the
 * pace the endpoint's jobs take, not all due again at once; turns that come sooner make
 * the next booked jobs due at once; other endpoints book on their own.
 */
import { describe, expect, test } from 'vitest';
import { createFairShare } from '../server/delivery/fairShare.ts';
import { createPutBack, PUT_BACK_MIN_MS } from '../server/delivery/putBack.ts';
import { createLogger } from '../server/logger.ts';
import { useTestDatabase } from './support/hooks.ts';

const db = useTestDatabase();

const payload = (endpointId: string, n: number) =>
  JSON.stringify({
    trigger: 'scheduled',
    endpointId,
    deliveries: [{ id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}` }],
  });

/** The put-back jobs of one endpoint: ms from now until each is due, in the order they were added. */
async function dueInMs(endpointId: string): Promise<number[]> {
  const { rows } = await db.pool.query<{ ms: number }>(
    `select (extract(epoch from run_at - now()) * 1000)::int as ms from graphile_worker._private_jobs
      where payload ->> 'endpointId' = $1 order by id`,
    [endpointId],
  );
  return rows.map((row) => row.ms);
}

describe('jobs put back', () => {
  test('are booked one turn apart after those running here; room for more makes the next due now', async () => {
    const busy = '11111111-1111-4111-8111-111111111111';
    const other = '22222222-2222-4222-8222-222222222222';
    const fairShare = createFairShare({ slots: 8, share: 2 });
    // The endpoint runs its share, and its jobs take about 2 s (a little more: a timer may
    // fire a millisecond early by Date.now(), which times the job).
    const first = (await fairShare.startJob(busy, { mayWait: false }))!;
    const timed = (await fairShare.startJob(busy, { mayWait: false }))!;
    await new Promise((resolve) => setTimeout(resolve, 2_050));
    timed();
    const second = (await fairShare.startJob(busy, { mayWait: false }))!;
    const jobMs = fairShare.typicalJobMs(busy);
    expect(jobMs).toBeGreaterThanOrEqual(2_000);

    const putBack = createPutBack({ db: db.pool, fairShare, logger: createLogger({ level: 'silent', pretty: false }) });
    const bookedAt = Date.now();
    for (let n = 0; n < 6; n++) await putBack.job(busy, payload(busy, n));
    await putBack.job(other, payload(other, 99));

    const due = await dueInMs(busy);
    const since = Date.now() - bookedAt;
    expect(due).toHaveLength(6);
    // The first after the running jobs, then one turn (a job per share) apart: 2 s, 3 s, 4 s…
    expect(due[0]).toBeGreaterThan(jobMs - since - 50);
    for (let i = 1; i < due.length; i++) expect(due[i]! - due[i - 1]!).toBeGreaterThan(jobMs / 2 - 100);
    // Another endpoint with no job here waits only the least.
    const [otherDue] = await dueInMs(other);
    expect(otherDue).toBeLessThanOrEqual(PUT_BACK_MIN_MS);

    // One of its jobs ends sooner than booked: room for one to run and two to wait. The next three booked jobs are due now, the rest keep their turns.
    second();
    putBack.ended(busy);
    const dueNowCount = async () => (await dueInMs(busy)).filter((ms) => ms <= 0).length;
    await expect.poll(dueNowCount, { timeout: 5_000 }).toBe(3);
    const after = await dueInMs(busy);
    expect(after.slice(3).every((ms) => ms > jobMs)).toBe(true);
    // Another job ends at once: the room is the same and those three are on their way, so nothing more moves.
    putBack.ended(busy);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await dueNowCount()).toBe(3);
    // One of them starts here: its room is taken, the others are still on their way; one more is due.
    const { rows } = await db.pool.query<{ id: string }>(
      `select id::text from graphile_worker._private_jobs where payload ->> 'endpointId' = $1 and run_at <= now() order by id limit 1`,
      [busy],
    );
    putBack.started(busy, rows[0]!.id);
    putBack.ended(busy);
    await expect.poll(dueNowCount, { timeout: 5_000 }).toBe(4);
    // The other two never come (another worker took them): after a moment their room is free again, with no call.
    await expect.poll(dueNowCount, { timeout: 5_000 }).toBe(6);
    first();
  });
});
