/**
 * Events stored as ingest stores them (the ingest statement itself, no HTTP), each with
 * one delivery to the given endpoint, in order (their ids rise): for tests of what the
 * worker does with deliveries.
 */
import type pg from 'pg';
import { newId } from '../../server/ids.ts';
import { insertEvents } from '../../server/ingest/sql/insertEvents.ts';

/**
 * Stores `count` events (in statements of at most 500), each with one queued delivery,
 * all with `orderingKey` when given; returns their ids in order.
 */
export async function storeEvents(
  pool: pg.Pool,
  mailboxId: string,
  endpointId: string,
  { count = 1, orderingKey }: { count?: number; orderingKey?: string } = {},
): Promise<{ eventId: string; deliveryId: string }[]> {
  const stored: { eventId: string; deliveryId: string }[] = [];
  while (stored.length < count) {
    const batch = Array.from({ length: Math.min(500, count - stored.length) }, () => ({
      eventId: newId(),
      deliveryId: newId(),
    }));
    await insertEvents(
      pool,
      batch.map(({ eventId, deliveryId }) => ({
        id: eventId,
        mailboxId,
        eventType: 'order.created',
        contentType: 'application/json',
        body: Buffer.from('{}'),
        deliveries: [{ id: deliveryId, endpointId, orderingKey: orderingKey ?? null }],
        trigger: 'scheduled' as const,
        ...(orderingKey !== undefined && { orderingKey }),
      })),
    );
    stored.push(...batch);
  }
  return stored;
}
