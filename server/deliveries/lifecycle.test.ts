import { describe, expect, test } from 'vitest';
import {
  counterDelta,
  counterOf,
  deliveryStatuses,
  deliveryTriggers,
  statusesFor,
  transition,
  transitions,
  type DeliveryStatus,
  type DeliveryTrigger,
} from './lifecycle.ts';

/** The table as a reader states it: every (status, trigger) pair and what it leads to. */
const expected: Record<DeliveryTrigger, Record<DeliveryStatus, DeliveryStatus | null>> = {
  claim: { queued: 'delivering', held: null, delivering: 'delivering', delivered: null, failed: null, cancelled: null },
  succeed: { queued: null, held: null, delivering: 'delivered', delivered: null, failed: null, cancelled: null },
  retry: { queued: null, held: null, delivering: 'queued', delivered: null, failed: null, cancelled: null },
  fail: { queued: null, held: null, delivering: 'failed', delivered: null, failed: null, cancelled: null },
  cancel: {
    queued: 'cancelled',
    held: 'cancelled',
    delivering: 'cancelled',
    delivered: null,
    failed: null,
    cancelled: null,
  },
  requeue: {
    queued: 'queued',
    held: null,
    delivering: 'queued',
    delivered: null,
    failed: 'queued',
    cancelled: 'queued',
  },
  strand: { queued: 'failed', held: null, delivering: 'failed', delivered: null, failed: null, cancelled: null },
  hold: { queued: 'held', held: null, delivering: 'held', delivered: null, failed: null, cancelled: null },
  release: { queued: null, held: 'queued', delivered: null, delivering: null, failed: null, cancelled: null },
  erase: {
    queued: 'cancelled',
    held: 'cancelled',
    delivering: null,
    delivered: null,
    failed: 'cancelled',
    cancelled: null,
  },
};

describe('the delivery lifecycle table', () => {
  const pairs = deliveryTriggers.flatMap((trigger) => deliveryStatuses.map((status) => [status, trigger] as const));

  test.each(pairs)('%s on %s is either a defined transition or a refusal', (status, trigger) => {
    const made = transition(status, trigger);
    expect(made?.to ?? null).toBe(expected[trigger][status]);
  });

  test('every trigger is in the table and the table names nothing else', () => {
    expect(Object.keys(transitions).sort()).toEqual([...deliveryTriggers].sort());
    for (const trigger of deliveryTriggers) {
      for (const [from, to] of Object.entries(transitions[trigger])) {
        expect(deliveryStatuses).toContain(from);
        expect(deliveryStatuses).toContain(to);
      }
    }
  });

  test('a delivered delivery never moves again', () => {
    for (const trigger of deliveryTriggers) expect(transition('delivered', trigger)).toBeNull();
  });

  test('statusesFor lists exactly the statuses a trigger moves from', () => {
    expect(statusesFor('requeue')).toEqual(['queued', 'delivering', 'failed', 'cancelled']);
    expect(statusesFor('cancel')).toEqual(['queued', 'held', 'delivering']);
    expect(statusesFor('succeed')).toEqual(['delivering']);
  });
});

describe('how the event counters move', () => {
  test('holding and releasing move no counter: a held delivery is still pending', () => {
    expect(transition('queued', 'hold')!.counters).toEqual({ pending: 0, failed: 0, cancelled: 0 });
    expect(transition('held', 'release')!.counters).toEqual({ pending: 0, failed: 0, cancelled: 0 });
    expect(transition('held', 'cancel')!.counters).toEqual({ pending: -1, failed: 0, cancelled: 1 });
  });

  test('claiming, retrying and requeueing a waiting delivery move no counter', () => {
    expect(transition('queued', 'claim')!.counters).toEqual({ pending: 0, failed: 0, cancelled: 0 });
    expect(transition('delivering', 'retry')!.counters).toEqual({ pending: 0, failed: 0, cancelled: 0 });
    expect(transition('queued', 'requeue')!.counters).toEqual({ pending: 0, failed: 0, cancelled: 0 });
  });

  test('ending a delivery takes it off pending and onto its end counter', () => {
    expect(transition('delivering', 'succeed')!.counters).toEqual({ pending: -1, failed: 0, cancelled: 0 });
    expect(transition('delivering', 'fail')!.counters).toEqual({ pending: -1, failed: 1, cancelled: 0 });
    expect(transition('queued', 'cancel')!.counters).toEqual({ pending: -1, failed: 0, cancelled: 1 });
    expect(transition('queued', 'strand')!.counters).toEqual({ pending: -1, failed: 1, cancelled: 0 });
  });

  test('requeueing an ended delivery puts it back on pending', () => {
    expect(transition('failed', 'requeue')!.counters).toEqual({ pending: 1, failed: -1, cancelled: 0 });
    expect(transition('cancelled', 'requeue')!.counters).toEqual({ pending: 1, failed: 0, cancelled: -1 });
  });

  test.each(deliveryStatuses.flatMap((from) => deliveryStatuses.map((to) => [from, to] as const)))(
    'from %s to %s, each counter moves by the change of its class and the sum is conserved',
    (from, to) => {
      const delta = counterDelta(from, to);
      const counted = (status: DeliveryStatus, counter: keyof typeof delta) => (counterOf[status] === counter ? 1 : 0);
      for (const counter of ['pending', 'failed', 'cancelled'] as const) {
        expect(delta[counter]).toBe(counted(to, counter) - counted(from, counter));
      }
      const delivered = (status: DeliveryStatus) => (counterOf[status] === null ? 1 : 0);
      expect(delta.pending + delta.failed + delta.cancelled + delivered(to) - delivered(from)).toBe(0);
    },
  );
});
