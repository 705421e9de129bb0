import { describe, expect, test } from 'vitest';
import { createLiveReads, type LiveRead } from './liveReads.ts';

interface Change {
  id: string;
}

/** A read of rows named after their change, recording each statement it would run. */
function rowsRead(selection: unknown, statements: string[][], fail = false): LiveRead<Change, { id: string }> {
  return {
    what: 'event',
    selection,
    keyOf: (change) => change.id,
    rowKeyOf: (row) => row.id,
    readRows: async (changes) => {
      statements.push(changes.map((change) => change.id));
      if (fail) throw new Error('the read pool is gone');
      return changes.filter((change) => change.id !== 'erased').map((change) => ({ id: change.id }));
    },
  };
}

describe('live reads', () => {
  test('subscribers resolving the same changes read them once, also when one has more of them', async () => {
    const reads = createLiveReads();
    const [a, b, c] = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
    const statements: string[][] = [];
    const selection = { include: { mailbox: true } };
    const payloads = await Promise.all([
      reads.read([a, b], rowsRead(selection, statements)),
      reads.read([a, b], rowsRead({ include: { mailbox: true } }, statements)),
      // A subscriber that fell behind and got two batches merged.
      reads.read([a, b, c], rowsRead(selection, statements)),
    ]);
    expect(statements).toEqual([['a', 'b'], ['c']]);
    expect(payloads).toEqual([
      [{ id: 'a' }, { id: 'b' }],
      [{ id: 'a' }, { id: 'b' }],
      [{ id: 'a' }, { id: 'b' }, { id: 'c' }],
    ]);
  });

  test('another selection, or another thing read from the same change, is read apart', async () => {
    const reads = createLiveReads();
    const change = { id: 'a' };
    const statements: string[][] = [];
    await reads.read([change], rowsRead({ select: { id: true } }, statements));
    await reads.read([change], rowsRead({ include: { mailbox: true } }, statements));
    await reads.read([change], { ...rowsRead({ select: { id: true } }, statements), what: 'delivery' });
    expect(statements).toHaveLength(3);
  });

  test('a row that is gone is undefined; a failed read is tried again by the next payload', async () => {
    const reads = createLiveReads();
    const [gone, change] = [{ id: 'erased' }, { id: 'a' }];
    const statements: string[][] = [];
    expect(await reads.read([gone], rowsRead({}, statements))).toEqual([undefined]);
    await expect(reads.read([change], rowsRead({}, statements, true))).rejects.toThrow(/read pool is gone/);
    expect(await reads.read([change], rowsRead({}, statements))).toEqual([{ id: 'a' }]);
    expect(statements).toEqual([['erased'], ['a'], ['a']]);
  });
});
