/**
 * When an endpoint's circuit opened and closed, from the record Hookpost keeps of it: the
 * `endpoint.circuit_opened` / `endpoint.circuit_closed` events it writes to its system
 * mailbox (the health row keeps only the last transition; these keep every one).
 */
import type pg from 'pg';

export interface CircuitChange {
  type: 'endpoint.circuit_opened' | 'endpoint.circuit_closed';
  /** When the event was stored, epoch ms (a moment after the transition itself). */
  at: number;
  reason: string | null;
}

export async function circuitChanges(pool: pg.Pool, endpointId: string): Promise<CircuitChange[]> {
  const { rows } = await pool.query<{ type: CircuitChange['type']; at: number; reason: string | null }>(
    `select e.event_type as type, extract(epoch from e.received_at) * 1000 as at,
            convert_from(e.body, 'UTF8')::jsonb -> 'data' ->> 'reason' as reason
       from event e join mailbox m on m.id = e.mailbox_id
      where m.system and e.event_type in ('endpoint.circuit_opened', 'endpoint.circuit_closed')
        and convert_from(e.body, 'UTF8')::jsonb -> 'data' ->> 'endpoint_id' = $1
      order by e.received_at, e.id`,
    [endpointId],
  );
  return rows.map((row) => ({ ...row, at: Number(row.at) }));
}
