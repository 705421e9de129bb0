import { describe, expect, test } from 'vitest';
import { packBytes } from './packedBytes.ts';

/** What `substring(bytes from start for length)` gives back in SQL. */
const unpack = ({ bytes, starts, lengths }: ReturnType<typeof packBytes>) =>
  starts.map((start, i) => (start === null ? null : bytes.subarray(start - 1, start - 1 + lengths[i]!)));

describe('packing byte strings into one parameter', () => {
  test('each item comes back byte for byte, empty and binary ones too', () => {
    const items = [Buffer.from('{"a":1}'), Buffer.alloc(0), Buffer.from([0, 255, 10, 13, 0]), Buffer.from('é ✓')];
    const packed = packBytes(items);
    expect(packed.starts).toEqual([1, 8, 8, 13]);
    expect(unpack(packed)).toEqual(items);
  });

  test('null items stay null and take no room', () => {
    const packed = packBytes([null, Buffer.from('xy'), null]);
    expect(packed.bytes.toString()).toBe('xy');
    expect(packed.starts).toEqual([null, 1, null]);
    expect(packed.lengths).toEqual([null, 2, null]);
    expect(unpack(packed)).toEqual([null, Buffer.from('xy'), null]);
  });
});
