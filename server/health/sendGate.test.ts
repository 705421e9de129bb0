import { afterEach, describe, expect, test } from 'vitest';
import type { Queryable } from '../db/queryable.ts';
import { createSendGate, type SendGate } from './sendGate.ts';
import { createLogger } from '../logger.ts';

const logger = createLogger({ level: 'silent', pretty: false });

const endpointId = '01a237c5-ac4f-7374-9321-8c822558e761';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A database whose only endpoint is paused. */
const pausedEndpoint: Queryable = {
  query: (async () => ({
    rows: [
      {
        id: endpointId,
        active: true,
        paused: true,
        circuit_state: 'closed',
        retry_at: null,
        probe_delivery_id: null,
        throttled_until: null,
        reason: null,
      },
    ],
  })) as unknown as Queryable['query'],
};

let gate: SendGate | null = null;
afterEach(() => gate?.stop());

describe('the send gate', () => {
  test("holds a paused endpoint's claimed deliveries whose turns come close together", async () => {
    gate = createSendGate({ db: pausedEndpoint, logger, pollMs: 20 });
    const claimedAt = Date.now() - 1;
    expect(gate.verdict(endpointId, 'd0', claimedAt)).toEqual({ send: true }); // nothing read yet
    await sleep(30);
    expect(gate.verdict(endpointId, 'd1', claimedAt)).toEqual({ hold: 'The endpoint is paused.' });
  });

  // A slow receiver (each request takes longer than two polls, e.g. 1 s with POLL_MS 500):
  // the endpoint is forgotten between two turns, so every turn finds nothing known and sends.
  test("still holds them when the endpoint's turns come further apart than two polls", async () => {
    gate = createSendGate({ db: pausedEndpoint, logger, pollMs: 20 });
    const claimedAt = Date.now() - 1;
    gate.verdict(endpointId, 'd0', claimedAt);
    const verdicts = [];
    for (let i = 1; i <= 5; i++) {
      await sleep(70); // > 2 × pollMs between turns
      verdicts.push(gate.verdict(endpointId, `d${i}`, claimedAt));
    }
    expect(verdicts).toEqual(Array(5).fill({ hold: 'The endpoint is paused.' }));
  });
});
