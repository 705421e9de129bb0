/**
 * Finds the mailbox an API key opens and the endpoints that may receive its events, in
 * one indexed lookup by the key's hash.
 */
import type { Queryable } from '../../db/queryable.ts';

export interface Route {
  mailboxId: string;
  /** When the key stops working, if it is being rotated out. */
  keyRevokedAt: Date | null;
  endpoints: { id: string; eventTypes: string[]; orderedByKey: boolean; orderingKeyField: string | null }[];
}

export async function findRoute(db: Queryable, apiKeyHash: Buffer): Promise<Route | null> {
  const { rows } = await db.query<{
    mailboxId: string;
    keyRevokedAt: Date | null;
    endpointId: string | null;
    eventTypes: string[] | null;
    orderedByKey: boolean | null;
    orderingKeyField: string | null;
  }>({
    name: 'find_route',
    text: `
      select k.mailbox_id as "mailboxId", k.revoked_at as "keyRevokedAt", e.id as "endpointId", e.event_types as "eventTypes",
             e.ordered_by_key as "orderedByKey", e.ordering_key_field as "orderingKeyField"
        from api_key k
        join mailbox m on m.id = k.mailbox_id and m.deleted_at is null
        left join endpoint e on e.mailbox_id = k.mailbox_id and e.enabled and e.deleted_at is null
       where k.hash = $1 and (k.revoked_at is null or k.revoked_at > now())`,
    values: [apiKeyHash],
  });
  if (rows.length === 0) return null;
  return {
    mailboxId: rows[0]!.mailboxId,
    keyRevokedAt: rows[0]!.keyRevokedAt,
    endpoints: rows
      .filter((row) => row.endpointId !== null)
      .map((row) => ({
        id: row.endpointId!,
        eventTypes: row.eventTypes ?? [],
        orderedByKey: row.orderedByKey ?? false,
        orderingKeyField: row.orderingKeyField,
      })),
  };
}
