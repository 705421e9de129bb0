import { describe, expect, test } from 'vitest';
import { isUuid, newId } from './ids.ts';

describe('ids', () => {
  test('are UUIDv7: version 7, RFC variant, the current time in the first 48 bits', () => {
    const before = Date.now();
    const id = newId();
    const after = Date.now();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const ms = parseInt(id.replaceAll('-', '').slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(after);
  });

  test('are unique across many draws from the random pool', () => {
    const ids = new Set(Array.from({ length: 20_000 }, newId));
    expect(ids.size).toBe(20_000);
  });

  test('sort by time across milliseconds', async () => {
    const first = newId();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(newId() > first).toBe(true);
  });

  test('made one after another in a process sort in that order, within a millisecond too', () => {
    // An ordering key's line is its deliveries' id order (deliveries/orderingLine.ts): the
    // missed events of one key given deliveries in one loop must keep their order.
    const ids = Array.from({ length: 5_000 }, newId);
    expect(ids).toEqual([...ids].sort());
  });

  test('isUuid accepts UUIDs only', () => {
    expect(isUuid(newId())).toBe(true);
    expect(isUuid('not-a-uuid')).toBe(false);
    expect(isUuid(`${newId()}x`)).toBe(false);
  });
});
