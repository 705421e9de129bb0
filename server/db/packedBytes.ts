/**
 * Many byte strings as one binary parameter. node-postgres sends a Buffer parameter as
 * binary, but an array of Buffers as a text array literal: every byte hex-escaped, the
 * literal twice the data's size, parsed and decoded again by PostgreSQL. Inserting 100
 * bodies of 1 KB took 3.6–4.2 ms per statement that way and 1.2 ms as one buffer (and
 * Node's CPU 1.3–1.5 ms against 0.8 ms). SQL takes each back with
 * `substring($bytes from start for length)`; a null item has a null start and length,
 * and substring of null is null.
 */

export interface PackedBytes {
  bytes: Buffer;
  /** 1-based, as SQL's substring counts. */
  starts: (number | null)[];
  lengths: (number | null)[];
}

export function packBytes(items: (Buffer | null)[]): PackedBytes {
  const starts: (number | null)[] = [];
  const lengths: (number | null)[] = [];
  let next = 1;
  for (const item of items) {
    starts.push(item ? next : null);
    lengths.push(item ? item.length : null);
    if (item) next += item.length;
  }
  return { bytes: Buffer.concat(items.filter((item): item is Buffer => item !== null)), starts, lengths };
}
