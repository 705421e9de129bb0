/**
 * Isolation between endpoints (invariant 8): a tarpit endpoint (it never answers) holds
 * at most its share of a worker's request slots and jobs, and a healthy endpoint's
 * deliveries all complete meanwhile, however many events wait for the tarpit.
 */
import { expect, test, vi } from 'vitest';
import type { Event } from '../clients/typescript/src/types.ts';
import { createMailbox, sendEvent } from './support/hookpost.ts';
import { useHookpost, useReceiver } from './support/hooks.ts';
import { listAll } from './support/listAll.ts';

const SLOTS = 8;
const SHARE = 2; // a quarter of 8
const { db, hookpost } = useHookpost({ workerConcurrency: SLOTS, endpointMaxShare: 0.25 });
// Closed before Hookpost stops (hooks stop in reverse): hanging requests would hold its drain.
const tarpit = useReceiver({ hang: true });
const healthy = useReceiver({ status: 200 });

test('a tarpit holds its share of the slots; a healthy endpoint is served in full meanwhile', async () => {
  const stuck = await createMailbox(hookpost, { name: 'Tarpit' });
  // It holds its requests for the whole test: no timeout frees its slots meanwhile.
  const endpoint = await hookpost.api(`/api/mailboxes/${stuck.id}/endpoints`, {
    method: 'POST',
    json: { url: `${tarpit.url}/never`, timeout_ms: 60_000 },
  });
  expect(endpoint.status).toBe(201);
  const stuckEndpoint = ((await endpoint.json()) as { id: string }).id;
  const fine = await createMailbox(hookpost, { name: 'Healthy', target_url: `${healthy.url}/ok` });

  // One at a time, so each is a job of its own: more jobs than the tarpit's share.
  for (let i = 0; i < 12; i++) expect((await sendEvent(hookpost, stuck, { event: 'stuck', i })).status).toBe(202);
  await tarpit.waitForRequests(SHARE);

  const healthyEvents = await Promise.all(
    Array.from({ length: 20 }, async (_, i) => {
      const response = await sendEvent(hookpost, fine, { event: 'fine', i });
      return ((await response.json()) as { tracking_number: string }).tracking_number;
    }),
  );
  await vi.waitFor(
    async () => {
      const delivered = await listAll<Event>(
        hookpost,
        `/api/webhooks?mailbox_id=${fine.id}&status=delivered&limit=100`,
      );
      expect(delivered.map((event) => event.tracking_number).sort()).toEqual(healthyEvents.toSorted());
    },
    { timeout: 20_000, interval: 100 },
  );
  // All the while, the tarpit never held more than its share of requests…
  expect(tarpit.requests).toHaveLength(SHARE);
  // …nor of jobs: the others wait in the queue, unlocked, for any worker.
  const { rows } = await db.pool.query<{ locked: number }>(
    `select count(*) filter (where locked_by is not null)::int as locked from graphile_worker._private_jobs
      where flags ? ('endpoint:' || $1)`,
    [stuckEndpoint],
  );
  expect(rows[0]!.locked).toBeLessThanOrEqual(SLOTS);
});
