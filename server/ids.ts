/**
 * Ids: time-ordered UUIDs (v7) for everything, so the newest rows sort last and
 * tracking numbers tell when an event arrived (to the millisecond). Within a process they
 * sort in the order they were made, within a millisecond too (a counter: RFC 9562 §6.2,
 * method 1): an ordering key's line is its deliveries' id order (deliveries/orderingLine.ts),
 * and the deliveries one loop makes (missed events, resends) must keep the events' order.
 * Ids made by two processes in one millisecond are in random order. Ids from outside are
 * checked before they reach a query.
 */
import { randomFillSync } from 'node:crypto';
import { v7 } from 'uuid';

// Random bytes drawn 4 KiB at a time: one draw per id was 5 % of the ingest path's CPU.
const pool = Buffer.allocUnsafe(4096);
let offset = pool.length;

function random16(): Uint8Array {
  if (offset + 16 > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  offset += 16;
  return pool.subarray(offset - 16, offset);
}

// The last id's millisecond and counter. uuid keeps such a counter only when it draws its
// own random bytes, so it is kept here.
let lastMs = -Infinity;
let counter = 0;

export function newId(): string {
  const random = random16();
  const now = Date.now();
  if (now > lastMs) {
    // A random start in the 31 bits below the top one, as uuid does: room to count up.
    counter = ((random[6]! & 0x7f) << 24) | (random[7]! << 16) | (random[8]! << 8) | random[9]!;
    lastMs = now;
  } else {
    // Same millisecond (or the clock went back): one more than the last, carrying into the time.
    counter = (counter + 1) | 0;
    if (counter === 0) lastMs++;
  }
  return v7({ random, msecs: lastMs, seq: counter });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (value: string): boolean => UUID.test(value);
