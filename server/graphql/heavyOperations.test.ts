import { describe, expect, test } from 'vitest';
import { createHeavyGate } from './heavyOperations.ts';

describe('heavy operations take turns', () => {
  test('one at a time in arrival order; a turn ended passes to the next; past the wait, too_many_requests', async () => {
    const gate = createHeavyGate({ concurrency: 1, waitMs: 200 });
    const order: string[] = [];
    const endFirst = await gate.enter();
    order.push('first');
    const second = gate.enter().then((end) => {
      order.push('second');
      return end;
    });
    const third = gate.enter().then((end) => {
      order.push('third');
      return end;
    });
    expect(gate.running).toBe(1);
    expect(gate.waiting).toBe(2);
    endFirst();
    const endSecond = await second;
    expect(order).toEqual(['first', 'second']);
    // The second holds its turn past the third's wait: the third is refused.
    await expect(third).rejects.toMatchObject({ code: 'too_many_requests' });
    endSecond();
    // A caller that gave up passed its turn on: the gate is free again.
    const endFourth = await gate.enter();
    expect(gate.running).toBe(1);
    expect(gate.waiting).toBe(0);
    endFourth();
  });

  test("callers take turns: one caller's queue of heavy operations does not hold back another's", async () => {
    const gate = createHeavyGate({ concurrency: 1, waitMs: 5_000 });
    const order: string[] = [];
    const run = async (caller: string, name: string) => {
      const end = await gate.enter(caller);
      order.push(name);
      await new Promise((resolve) => setTimeout(resolve, 5));
      end();
    };
    const all = [
      run('reader', 'r1'),
      run('reader', 'r2'),
      run('reader', 'r3'),
      run('reader', 'r4'),
      run('script', 's1'),
    ];
    all.push(run('script', 's2'));
    await Promise.all(all);
    // The script's first waits behind one of the reader's, not four.
    expect(order).toEqual(['r1', 's1', 'r2', 's2', 'r3', 'r4']);
  });

  test('the ending of a turn counts once, however often it is called', async () => {
    const gate = createHeavyGate({ concurrency: 1, waitMs: 200 });
    const end = await gate.enter('a');
    end();
    end();
    const endNext = await gate.enter('a');
    const refused = gate.enter('b');
    await expect(refused).rejects.toMatchObject({ code: 'too_many_requests' });
    expect(gate.running).toBe(1);
    endNext();
    expect(gate.running).toBe(0);
  });
});
