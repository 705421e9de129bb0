/**
 * Hookpost's own operational events (`endpoint.circuit_opened`, `endpoint.disabled`,
 * `delivery.exhausted`, `replay.finished`…) go to a mailbox of its own, the system
 * mailbox, and from there through the normal machinery: operators add endpoints to it
 * (with event-type filters, retries, signatures) to get them as webhooks; the dashboard
 * shows them; the GraphQL subscription `eventReceived(mailboxId:)` pushes them. Nobody can
 * send to it from outside: it has no API key.
 */
import type { Queryable } from '../db/queryable.ts';
import { acceptsEventType } from '../events/eventTypes.ts';
import { newId } from '../ids.ts';
import { insertEvents } from '../ingest/sql/insertEvents.ts';

export const operationalEventTypes = [
  'endpoint.circuit_opened',
  'endpoint.circuit_closed',
  'endpoint.disabled',
  'endpoint.enabled',
  'delivery.exhausted',
  'replay.finished',
] as const;
export type OperationalEventType = (typeof operationalEventTypes)[number];

export const SYSTEM_MAILBOX_NAME = 'Hookpost alerts';

/** The system mailbox's id, made on first use. */
export async function systemMailboxId(db: Queryable): Promise<string> {
  await db.query(
    `insert into mailbox (id, name, system) values ($1, $2, true) on conflict (system) where system do nothing`,
    [newId(), SYSTEM_MAILBOX_NAME],
  );
  const { rows } = await db.query<{ id: string }>('select id from mailbox where system');
  return rows[0]!.id;
}

export interface AlertSender {
  /** Records an operational event in the system mailbox, delivered to its endpoints. */
  send(type: OperationalEventType, data: Record<string, unknown>): Promise<string>;
}

export function createAlertSender(db: Queryable): AlertSender {
  let mailboxId: Promise<string> | null = null;
  return {
    async send(type, data) {
      mailboxId ??= systemMailboxId(db).catch((error: unknown) => {
        mailboxId = null;
        throw error;
      });
      const mailbox = await mailboxId;
      const { rows: endpoints } = await db.query<{ id: string; event_types: string[] }>(
        `select id, event_types from endpoint where mailbox_id = $1 and enabled and deleted_at is null`,
        [mailbox],
      );
      const id = newId();
      const body = Buffer.from(JSON.stringify({ type, occurred_at: new Date().toISOString(), data }));
      await insertEvents(db, [
        {
          id,
          mailboxId: mailbox,
          eventType: type,
          contentType: 'application/json',
          body,
          deliveries: endpoints
            .filter((endpoint) => acceptsEventType(endpoint.event_types, type))
            .map((endpoint) => ({ id: newId(), endpointId: endpoint.id })),
          trigger: 'scheduled',
        },
      ]);
      return id;
    },
  };
}
