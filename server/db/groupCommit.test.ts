import { describe, expect, test } from 'vitest';
import { createGroupCommit } from './groupCommit.ts';

/** A commit function the test finishes by hand, recording the batches it was given. */
function manualCommits() {
  const batches: { items: number[]; finish: () => void }[] = [];
  const commit = (items: number[]) =>
    new Promise<number[]>((resolve) => {
      batches.push({ items, finish: () => resolve(items) });
    });
  return { batches, commit };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('group commit scheduling', () => {
  test('items waiting behind a transaction go together in the next one', async () => {
    const { batches, commit } = manualCommits();
    const writer = createGroupCommit(commit, { maxConcurrent: 2, concurrentAt: 3 });
    const first = writer.submit(1);
    await turn();
    expect(batches.map((b) => b.items)).toEqual([[1]]);
    const waiting = [writer.submit(2), writer.submit(3)];
    await turn();
    // Two waiting, fewer than concurrentAt: no second transaction yet.
    expect(batches).toHaveLength(1);
    batches[0]!.finish();
    expect(await first).toBe(1);
    await turn();
    expect(batches.map((b) => b.items)).toEqual([[1], [2, 3]]);
    batches[1]!.finish();
    expect(await Promise.all(waiting)).toEqual([2, 3]);
  });

  test('a second transaction starts beside the first once concurrentAt items wait', async () => {
    const { batches, commit } = manualCommits();
    const writer = createGroupCommit(commit, { maxConcurrent: 2, concurrentAt: 3 });
    void writer.submit(1);
    await turn();
    for (const item of [2, 3, 4]) void writer.submit(item);
    await turn();
    expect(batches.map((b) => b.items)).toEqual([[1], [2, 3, 4]]);
    for (const item of [5, 6, 7]) void writer.submit(item);
    await turn();
    // maxConcurrent reached: the rest waits however many there are.
    expect(batches).toHaveLength(2);
    batches[0]!.finish();
    await turn();
    await turn();
    expect(batches.map((b) => b.items)).toEqual([[1], [2, 3, 4], [5, 6, 7]]);
    batches[1]!.finish();
    batches[2]!.finish();
    await writer.drain();
  });

  test('by default any waiting item starts a transaction while a slot is free', async () => {
    const { batches, commit } = manualCommits();
    const writer = createGroupCommit(commit, { maxConcurrent: 2 });
    void writer.submit(1);
    await turn();
    void writer.submit(2);
    await turn();
    expect(batches.map((b) => b.items)).toEqual([[1], [2]]);
    for (const batch of batches) batch.finish();
    await writer.drain();
  });

  test('an item whose deadline passes while it waits is taken out and never written', async () => {
    const { batches, commit } = manualCommits();
    const writer = createGroupCommit(commit, { maxConcurrent: 1 });
    const first = writer.submit(1);
    await turn();
    const deadline = new AbortController();
    const late = writer.submit(2, deadline.signal);
    const kept = writer.submit(3);
    deadline.abort(new Error('too late'));
    await expect(late).rejects.toThrow('too late');
    batches[0]!.finish();
    await turn();
    await turn();
    expect(batches.map((b) => b.items)).toEqual([[1], [3]]);
    batches[1]!.finish();
    await Promise.all([first, kept]);
  });

  test('an item already in a transaction is answered at its deadline, and the transaction goes on', async () => {
    const { batches, commit } = manualCommits();
    const writer = createGroupCommit(commit);
    const deadline = new AbortController();
    const waiting = writer.submit(1, deadline.signal);
    await turn();
    deadline.abort(new Error('too late'));
    await expect(waiting).rejects.toThrow('too late');
    expect(batches.map((b) => b.items)).toEqual([[1]]);
    batches[0]!.finish();
    await writer.drain();
  });

  test('a transaction closes before its items would pass the weight limit; a heavy item goes alone', async () => {
    const { batches, commit } = manualCommits();
    const writer = createGroupCommit(commit, { maxConcurrent: 1, weigh: (item: number) => item, maxBatchWeight: 10 });
    void writer.submit(1);
    await turn();
    for (const item of [4, 5, 3, 20, 2]) void writer.submit(item);
    await turn();
    for (let i = 0; i < 4; i++) {
      batches[i]!.finish();
      await turn();
      await turn();
    }
    expect(batches.map((b) => b.items)).toEqual([[1], [4, 5], [3], [20], [2]]);
    batches[4]!.finish();
    await writer.drain();
  });
});
