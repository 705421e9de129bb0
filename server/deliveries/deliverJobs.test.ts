import { describe, expect, test } from 'vitest';
import { DELIVERIES_PER_JOB, deliverJobPayloads, mergeDeliverPayloads } from './deliverJobs.ts';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const endpointA = '11111111-1111-4111-8111-111111111111';
const endpointB = '22222222-2222-4222-8222-222222222222';

describe('deliver jobs put back together', () => {
  test('are merged per trigger and endpoint, as many deliveries to a job as fit', () => {
    const small = Array.from({ length: 3 }, (_, job) =>
      deliverJobPayloads(
        'scheduled',
        Array.from({ length: 20 }, (_, i) => ({ id: id(job * 100 + i), endpointId: endpointA })),
      ),
    ).flat();
    const replay = deliverJobPayloads('replay', [{ id: id(999), endpointId: endpointA }]);
    const other = deliverJobPayloads('scheduled', [{ id: id(998), endpointId: endpointB }]);
    const merged = mergeDeliverPayloads([...small, ...replay, ...other]).map((payload) => JSON.parse(payload));
    // 60 scheduled to A: two jobs (50 + 10); the replay and B's stay their own.
    expect(merged.map((job) => [job.trigger, job.endpointId, job.deliveries.length])).toEqual([
      ['scheduled', endpointA, DELIVERIES_PER_JOB],
      ['scheduled', endpointA, 10],
      ['scheduled', endpointB, 1],
      ['replay', endpointA, 1],
    ]);
    // Every delivery once.
    const ids = merged.flatMap((job) => job.deliveries.map((delivery: { id: string }) => delivery.id));
    expect(new Set(ids).size).toBe(62);
  });

  test('a payload that does not name its endpoint (an earlier release) is kept as it is', () => {
    const old = JSON.stringify({ trigger: 'scheduled', deliveries: [{ id: id(1), attempt: 2 }] });
    expect(mergeDeliverPayloads([old])).toEqual([old]);
  });
});
