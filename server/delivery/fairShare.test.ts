import { describe, expect, test } from 'vitest';
import { createFairShare, shareOf } from './fairShare.ts';

const never = () => new Promise<void>(() => undefined);
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe("an endpoint's share of a worker", () => {
  test('is a fraction of the slots, at least one', () => {
    expect(shareOf(32, 0.25)).toBe(8);
    expect(shareOf(8, 0.25)).toBe(2);
    expect(shareOf(2, 0.25)).toBe(1);
  });

  test('a stuck endpoint holds only its share of the request slots; others go on', async () => {
    const fair = createFairShare({ slots: 4, share: 2 });
    let stuckStarted = 0;
    for (let i = 0; i < 10; i++) {
      void fair.send('stuck', () => {
        stuckStarted++;
        return never();
      });
    }
    await turn();
    expect(stuckStarted).toBe(2);
    const served: number[] = [];
    await Promise.all([1, 2, 3, 4, 5].map((n) => fair.send('healthy', async () => served.push(n))));
    expect(served).toEqual([1, 2, 3, 4, 5]);
    expect(stuckStarted).toBe(2);
  });

  test("an endpoint's jobs are not fetched while it runs its share of them", () => {
    const fair = createFairShare({ slots: 8, share: 2 });
    expect(fair.forbiddenFlags()).toBeNull();
    const first = fair.startJob('a')!;
    expect(fair.forbiddenFlags()).toBeNull();
    const second = fair.startJob('a')!;
    fair.startJob('b');
    expect(fair.forbiddenFlags()).toEqual(['endpoint:a']);
    // A job fetched before the flag was forbidden is not run now.
    expect(fair.startJob('a')).toBeNull();
    second();
    second();
    expect(fair.forbiddenFlags()).toBeNull();
    expect(fair.startJob('a')).not.toBeNull();
    first();
  });
});
