import { describe, expect, test } from 'vitest';
import { deliveryRetryBlock, eventRetryBlock, newerDelivery } from './retryRules.ts';

const delivery = (
  status: 'queued' | 'delivering' | 'delivered' | 'failed' | 'cancelled',
  endpoint = { enabled: true, deletedAt: null as string | null },
) => ({ status, endpoint });

describe('when a retry is allowed', () => {
  test('failed and cancelled deliveries can be retried while their endpoint is enabled', () => {
    expect(deliveryRetryBlock(delivery('failed'))).toBeNull();
    expect(deliveryRetryBlock(delivery('cancelled'))).toBeNull();
    expect(deliveryRetryBlock(delivery('failed', { enabled: false, deletedAt: null }))).toMatch(/disabled/);
    expect(deliveryRetryBlock(delivery('failed', { enabled: true, deletedAt: '2026-11-28T00:00:00Z' }))).toMatch(
      /deleted/,
    );
  });

  test('the others say why not', () => {
    expect(deliveryRetryBlock(delivery('delivered'))).toMatch(/nothing to retry/);
    expect(deliveryRetryBlock(delivery('queued'))).toMatch(/queued/);
    expect(deliveryRetryBlock(delivery('delivering'))).toMatch(/in flight/);
  });

  test('an event can be retried when one of its deliveries can', () => {
    expect(eventRetryBlock([delivery('delivered'), delivery('failed')])).toBeNull();
    expect(eventRetryBlock([delivery('delivered')])).toMatch(/nothing to retry/);
    expect(eventRetryBlock([delivery('delivered'), delivery('queued')])).toMatch(/under way/);
    expect(eventRetryBlock([])).toMatch(/no deliveries/);
  });

  test('of two snapshots of a delivery, the one with more attempts is newer', () => {
    const a = { attemptCount: 2, updatedAt: '2026-11-28T10:00:02.000Z' };
    const b = { attemptCount: 1, updatedAt: '2026-11-28T10:00:05.000Z' };
    expect(newerDelivery(a, b)).toBe(a);
    expect(newerDelivery(b, { ...b, updatedAt: '2026-11-28T10:00:06.000Z' }).updatedAt).toBe(
      '2026-11-28T10:00:06.000Z',
    );
  });
});
