/**
 * The events an endpoint missed while disabled, given deliveries when it is enabled again,
 * keep their order on an endpoint ordered by key: the line is the deliveries' id order, and
 * one batch makes hundreds of ids within a few milliseconds. Ids made in one millisecond
 * were in random order, so about half of a key's missed events swapped places with a neighbour.
 */
import { describe, expect, test } from 'vitest';
import { addMissedDeliveries } from '../server/deliveries/addMissed.ts';
import { newId } from '../server/ids.ts';
import { insertEvents } from '../server/ingest/sql/insertEvents.ts';
import { useTestDatabase } from './support/hooks.ts';

const db = useTestDatabase();

describe('missed events of one ordering key', () => {
  test('get deliveries in the order the events were accepted', async () => {
    const mailboxId = newId();
    const endpointId = newId();
    await db.pool.query(`insert into mailbox (id, name) values ($1, 'Missed in order')`, [mailboxId]);
    await db.pool.query(
      `insert into endpoint (id, mailbox_id, url, retry_policy, ordered_by_key)
       values ($1, $2, 'http://127.0.0.1:9/hook', '{}', true)`,
      [endpointId, mailboxId],
    );
    const since = new Date(Date.now() - 60_000);
    // Accepted while the endpoint was disabled: stored without a delivery to it.
    await insertEvents(
      db.pool,
      Array.from({ length: 300 }, () => ({
        id: newId(),
        mailboxId,
        eventType: 'order.updated',
        contentType: 'application/json',
        body: Buffer.from('{}'),
        deliveries: [],
        trigger: 'scheduled' as const,
        orderingKey: 'customer-42',
      })),
    );
    const { added } = await addMissedDeliveries(
      { db: db.pool, changes: { publish: () => undefined } },
      { endpointId, mailboxId, eventTypes: [], since, until: new Date(Date.now() + 60_000) },
      null,
      1_000,
    );
    expect(added).toBe(300);
    const { rows } = await db.pool.query<{ event_id: string; ordering_key: string }>(
      'select event_id, ordering_key from delivery where endpoint_id = $1 order by id',
      [endpointId],
    );
    const eventIds = rows.map((row) => row.event_id);
    expect(eventIds).toEqual([...eventIds].sort());
    expect(new Set(rows.map((row) => row.ordering_key))).toEqual(new Set(['customer-42']));
  });
});
