import { describe, expect, test } from 'vitest';
import { createFairShare, shareOf } from './fairShare.ts';

const never = () => new Promise<void>(() => undefined);
const turn = () => new Promise((resolve) => setImmediate(resolve));
/**
 * A job refused "at once" comes back well under the least it would wait (jobWaitMinMs 1,000
 * in those tests), but not within tens of ms on a loaded 2-core machine: a GC pause or the
 * process being descheduled can take that long.
 */
const NO_WAIT_MS = 500;

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

  test("a job beyond its endpoint's share waits for a turn, briefly, and only if it may", async () => {
    const fair = createFairShare({ slots: 8, share: 2, jobWaitMinMs: 50 });
    const first = (await fair.startJob('a', { mayWait: true }))!;
    const second = (await fair.startJob('a', { mayWait: true }))!;
    expect(first).toBeTypeOf('function');
    expect(second).toBeTypeOf('function');
    // Another endpoint is not affected.
    expect(await fair.startJob('b', { mayWait: false })).toBeTypeOf('function');
    // A replay's job does not wait: back to the queue.
    expect(await fair.startJob('a', { mayWait: false })).toBeNull();
    // A live one gets the turn of the first job that ends.
    const third = fair.startJob('a', { mayWait: true });
    await turn();
    first();
    first(); // ending twice frees one turn, not two
    const thirdEnd = await third;
    expect(thirdEnd).toBeTypeOf('function');
    expect(await fair.startJob('a', { mayWait: false })).toBeNull();
    // Nobody ends in time: the waiter gives up.
    const started = Date.now();
    expect(await fair.startJob('a', { mayWait: true })).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    second();
    expect(await fair.startJob('a', { mayWait: false })).toBeTypeOf('function');
  });

  test("at most a share of an endpoint's jobs wait, and all but two shares of the job slots in all; the rest go back at once", async () => {
    const fair = createFairShare({ slots: 4, share: 2, jobSlots: 8, jobWaitMinMs: 1_000 });
    const runningA = [await fair.startJob('a', { mayWait: true }), await fair.startJob('a', { mayWait: true })];
    const runningB = [await fair.startJob('b', { mayWait: true }), await fair.startJob('b', { mayWait: true })];
    const waiting = [fair.startJob('a', { mayWait: true }), fair.startJob('a', { mayWait: true })];
    // A third of a's may not wait: its share of waiting jobs is full.
    expect(await fair.startJob('a', { mayWait: true })).toBeNull();
    // 8 job slots - 2 shares of 2: four may wait in all.
    waiting.push(fair.startJob('b', { mayWait: true }), fair.startJob('b', { mayWait: true }));
    const runningC = [await fair.startJob('c', { mayWait: true }), await fair.startJob('c', { mayWait: true })];
    expect(runningC.every((end) => typeof end === 'function')).toBe(true);
    expect(await fair.startJob('c', { mayWait: true })).toBeNull();
    for (const end of [...runningA, ...runningB, ...runningC]) end!();
    const turns = await Promise.all(waiting);
    expect(turns.every((end) => typeof end === 'function')).toBe(true);
    for (const end of turns) end!();
  });

  test("a slow endpoint's jobs never wait for a turn", async () => {
    const fair = createFairShare({ slots: 8, share: 2, jobWaitMinMs: 1_000, slowRequestMs: 50 });
    const first = (await fair.startJob('slow', { mayWait: true }))!;
    const second = (await fair.startJob('slow', { mayWait: true }))!;
    fair.outcome('slow', { ok: true, durationMs: 80 });
    const started = Date.now();
    expect(await fair.startJob('slow', { mayWait: true })).toBeNull();
    expect(Date.now() - started).toBeLessThan(NO_WAIT_MS);
    first();
    second();
  });

  test('an endpoint with a request out for long is slow before any answer says so: its jobs do not wait', async () => {
    const fair = createFairShare({ slots: 8, share: 2, jobWaitMinMs: 1_000, slowRequestMs: 50 });
    const first = (await fair.startJob('tarpit', { mayWait: true }))!;
    const second = (await fair.startJob('tarpit', { mayWait: true }))!;
    void fair.send('tarpit', never);
    // Well past slowRequestMs: a timer may fire a millisecond early by Date.now().
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    expect(await fair.startJob('tarpit', { mayWait: true })).toBeNull();
    expect(Date.now() - started).toBeLessThan(NO_WAIT_MS);
    // Its jobs take at least as long as that request has been out: those put back are spaced by it.
    expect(fair.pace('tarpit').apartMs).toBeGreaterThanOrEqual(40);
    first();
    second();
  });

  test("a failing endpoint's jobs never wait for a turn", async () => {
    const fair = createFairShare({ slots: 8, share: 2, jobWaitMinMs: 1_000 });
    const first = (await fair.startJob('failing', { mayWait: true }))!;
    const second = (await fair.startJob('failing', { mayWait: true }))!;
    for (let i = 0; i < 5; i++) fair.outcome('failing', { ok: false, durationMs: 5 });
    const started = Date.now();
    expect(await fair.startJob('failing', { mayWait: true })).toBeNull();
    expect(Date.now() - started).toBeLessThan(NO_WAIT_MS);
    first();
    second();
  });

  test("the pace of an endpoint's turns, and its room for more jobs", async () => {
    const fair = createFairShare({ slots: 8, share: 2, jobWaitMinMs: 5_000 });
    expect(fair.room('busy')).toBe(4);
    const running = [
      (await fair.startJob('busy', { mayWait: false }))!,
      (await fair.startJob('busy', { mayWait: false }))!,
    ];
    // Its turns are taken; two more may wait for one.
    expect(fair.room('busy')).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 200));
    running.pop()!(); // its jobs take about 200 ms
    expect(fair.room('busy')).toBe(3);
    running.push((await fair.startJob('busy', { mayWait: false }))!);
    const jobMs = fair.typicalJobMs('busy');
    expect(jobMs).toBeGreaterThanOrEqual(190);
    expect(fair.pace('busy')).toEqual({ firstMs: jobMs, apartMs: jobMs / 2 });
    // Two wait for a turn here: those put back come after them too, and no turn is free.
    const waiting = [fair.startJob('busy', { mayWait: true }), fair.startJob('busy', { mayWait: true })];
    expect(fair.pace('busy')).toEqual({ firstMs: jobMs * 2, apartMs: jobMs / 2 });
    expect(fair.room('busy')).toBe(0);
    // An endpoint with no job here: no wait known, all its turns free.
    expect(fair.pace('idle')).toEqual({ firstMs: 0, apartMs: 0 });
    for (const end of running) end();
    for (const end of await Promise.all(waiting)) end!();
    expect(fair.room('busy')).toBe(4);

    // A failing endpoint's jobs may not wait: room only for its free turns.
    const one = (await fair.startJob('failing', { mayWait: false }))!;
    expect(fair.room('failing')).toBe(3);
    for (let i = 0; i < 5; i++) fair.outcome('failing', { ok: false, durationMs: 5 });
    expect(fair.room('failing')).toBe(1);
    one();
  });

  test("remembers how long an endpoint's jobs take while it has work", async () => {
    const fair = createFairShare({ slots: 8, share: 2 });
    const keep = (await fair.startJob('a', { mayWait: false }))!;
    const timed = (await fair.startJob('a', { mayWait: false }))!;
    await new Promise((resolve) => setTimeout(resolve, 30));
    timed();
    expect(fair.typicalJobMs('a')).toBeGreaterThanOrEqual(25);
    keep();
    expect(fair.typicalJobMs('a')).toBe(0); // idle endpoints are forgotten
  });
});
