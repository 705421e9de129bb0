import { Client, type OperationResult } from 'urql';
import { fromArray } from 'wonka';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { DeliveriesPulse } from '../graphql/pulses.ts';
import { TestDeliveryUpdatedSubscription } from '../mailboxes/mailboxDocuments.ts';
import { liveSource, type LiveSink } from './liveSource.ts';

afterEach(() => vi.useRealTimers());

/** A client whose subscriptions push `payloads` (then end; the test stops before a restart). */
function clientPushing(payloads: unknown[]): Client {
  const client = new Client({ url: 'http://hookpost.test/graphql', exchanges: [] });
  vi.spyOn(client, 'subscription').mockImplementation(
    () =>
      fromArray(payloads.map((data) => ({ data }) as OperationResult)) as unknown as ReturnType<Client['subscription']>,
  );
  return client;
}

function recordingSink() {
  const seen = { received: 0, updated: 0, gaps: 0 };
  const sink: LiveSink<{ id: string }> = {
    received: (items) => (seen.received += items.length),
    updated: (items) => (seen.updated += items.length),
    gap: () => (seen.gaps += 1),
  };
  return { seen, sink };
}

describe('a live source', () => {
  test('a pulse (no rows to read) asks for a read again at every payload', () => {
    vi.useFakeTimers();
    const { seen, sink } = recordingSink();
    const stop = liveSource(DeliveriesPulse, {}).start(
      clientPushing([
        { deliveryUpdated: { skipped: 0, resync: false } },
        { deliveryUpdated: { skipped: 0, resync: false } },
      ]),
      sink,
    );
    stop();
    expect(seen.gaps).toBe(2);
  });

  test('a source with rows asks for a read again only when a payload says changes were left out', () => {
    vi.useFakeTimers();
    const { seen, sink } = recordingSink();
    const update = (skipped: number) => ({
      deliveryUpdated: { skipped, resync: false, updates: [{ delivery: { id: 'd1' } }] },
    });
    const stop = liveSource(
      TestDeliveryUpdatedSubscription,
      { eventId: 'e1' },
      { updated: (data) => data.deliveryUpdated.updates.map((u) => u.delivery) },
    ).start(clientPushing([update(0), update(0), update(3)]), sink);
    stop();
    expect(seen).toEqual({ received: 0, updated: 3, gaps: 1 });
  });
});
