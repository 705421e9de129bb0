import { describe, expect, test } from 'vitest';
import { changePayloads, readChangePayload, type Change } from './changeBus.ts';

/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more. */
const PAYLOAD_CAP = 8000;

const uuid = (n: number) => `0193a1c2-0000-7000-8000-${String(n).padStart(12, '0')}`;

describe('live-change NOTIFY payloads', () => {
  test('every change comes back, in order, whatever the kind', () => {
    const changes: Change[] = [
      { kind: 'event', eventId: uuid(1), mailboxId: uuid(2) },
      {
        kind: 'delivery',
        deliveryId: uuid(3),
        eventId: uuid(1),
        mailboxId: uuid(2),
        endpointId: uuid(4),
        status: 'delivered',
        attempt: 2,
      },
      {
        kind: 'delivery',
        deliveryId: uuid(5),
        eventId: uuid(1),
        mailboxId: uuid(2),
        endpointId: uuid(4),
        status: 'queued',
        attempt: null,
      },
      { kind: 'endpoint', endpointId: uuid(4), mailboxId: uuid(2) },
      { kind: 'replay', replayId: uuid(6) },
      { kind: 'routing', mailboxId: uuid(2) },
      { kind: 'access', tokenId: uuid(6) },
    ];
    const payloads = changePayloads(changes);
    expect(payloads).toHaveLength(1);
    expect(payloads.flatMap(readChangePayload)).toEqual(changes);
  });

  test('a large batch is split into as few payloads as fit under the cap, none lost', () => {
    const changes: Change[] = Array.from({ length: 1_000 }, (_, i) => ({
      kind: 'event',
      eventId: uuid(i),
      mailboxId: uuid(1_000_000),
    }));
    const payloads = changePayloads(changes);
    for (const payload of payloads) expect(Buffer.byteLength(payload)).toBeLessThan(PAYLOAD_CAP);
    // ~85 bytes per event change: 1,000 of them need 12 payloads of ≤ 7,500 bytes; not one per change.
    expect(payloads.length).toBe(12);
    expect(payloads.flatMap(readChangePayload)).toEqual(changes);
  });

  test('no changes, no payload', () => {
    expect(changePayloads([])).toEqual([]);
  });
});
