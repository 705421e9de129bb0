/**
 * Erasing one event (a data-subject request, a secret sent by mistake): its body, and
 * the response bodies and headers its attempts captured (a receiver may echo the
 * payload), are gone for good; its row stays as a tombstone with the tracking number,
 * the mailbox, the type, the times and `erased_at`, so the history says it existed and
 * was erased. Its waiting and failed deliveries end cancelled (deliveries/erase.ts); an
 * attempt in flight must finish first. Admins only, recorded in the audit log.
 *
 * `eraseEventRows` is the rule itself, for this and for bulk erasure (erasures/), which
 * erases many events in one transaction.
 *
 * PostgreSQL keeps an old row version until vacuum reclaims it, and backups keep theirs:
 * erasure here is from everything Hookpost can read.
 */
import { recordAudit } from '../audit/auditLog.ts';
import { authorize, type Actor } from '../auth/roles.ts';
import { withTransaction } from '../db/pool.ts';
import type { Queryable } from '../db/queryable.ts';
import { cancelForErasure, hasAttemptInFlight, publishErased } from '../deliveries/erase.ts';
import type { DeliveryRef } from '../deliveries/publish.ts';
import { AppError, notFound } from '../errors.ts';
import { isUuid } from '../ids.ts';
import type { Runtime } from '../runtime.ts';

export interface ErasedEvent {
  trackingNumber: string;
  erasedAt: Date;
}

export type EraseOutcome =
  | { outcome: 'erased'; erasedAt: Date; cancelled: DeliveryRef[] }
  | { outcome: 'already_erased'; erasedAt: Date }
  /** An attempt is in flight: nothing was changed; erase it again once it ends. */
  | { outcome: 'in_flight' }
  | { outcome: 'not_found' };

/**
 * Erases one event inside the caller's transaction. When an attempt is in flight it
 * changes nothing (its own savepoint is rolled back), so a caller erasing many events can
 * go on with the others. Publish `cancelled` (publishErased) once the transaction commits.
 */
export async function eraseEventRows(tx: Queryable, trackingNumber: string): Promise<EraseOutcome> {
  await tx.query('savepoint erase_event');
  const { rows } = await tx.query<{ erased_at: Date | null }>(`select erased_at from event where id = $1 for update`, [
    trackingNumber,
  ]);
  const event = rows[0];
  if (!event || event.erased_at) {
    await tx.query('release savepoint erase_event');
    return event ? { outcome: 'already_erased', erasedAt: event.erased_at! } : { outcome: 'not_found' };
  }
  // Cancelling first locks every delivery that could still be claimed, so an attempt is
  // either in flight now (seen below: refused, all undone) or can never start.
  const cancelled = await cancelForErasure(tx, trackingNumber);
  if (await hasAttemptInFlight(tx, trackingNumber)) {
    await tx.query('rollback to savepoint erase_event');
    await tx.query('release savepoint erase_event');
    return { outcome: 'in_flight' };
  }
  // Its idempotency key goes too: keys are often built from the subject's ids
  // (`order-123-created`), and a repeat of an erased event is a new event.
  const { rows: updated } = await tx.query<{ erased_at: Date }>(
    `update event set body = ''::bytea, trace_context = null, ordering_key = null, idempotency_key = null, erased_at = now()
      where id = $1 returning erased_at`,
    [trackingNumber],
  );
  // Its search terms are its payload's values.
  await tx.query(`delete from event_search where event_id = $1`, [trackingNumber]);
  // An ordering key is often the data subject's own id (a customer, an account). Every
  // delivery of the event has ended by now, so none is in a key's line any more.
  await tx.query(`update delivery set ordering_key = null where event_id = $1 and ordering_key is not null`, [
    trackingNumber,
  ]);
  await tx.query(
    `update attempt set response_body = null, response_headers = null
      where delivery_id in (select id from delivery where event_id = $1)`,
    [trackingNumber],
  );
  await tx.query('release savepoint erase_event');
  return { outcome: 'erased', erasedAt: updated[0]!.erased_at, cancelled };
}

export async function eraseEvent(
  rt: Pick<Runtime, 'pool' | 'changes'>,
  actor: Actor | null,
  trackingNumber: string,
): Promise<ErasedEvent> {
  authorize(actor, 'admin');
  if (!isUuid(trackingNumber)) throw notFound('The event');
  const { erased, cancelled } = await withTransaction(rt.pool, async (tx) => {
    const result = await eraseEventRows(tx, trackingNumber);
    if (result.outcome === 'not_found') throw notFound('The event');
    if (result.outcome === 'in_flight')
      throw new AppError('conflict', 'An attempt of this event is in flight; erase it again in a few seconds.');
    if (result.outcome === 'already_erased')
      return { erased: { trackingNumber, erasedAt: result.erasedAt }, cancelled: [] };
    await recordAudit(tx, actor, { action: 'event.erase', target: { type: 'event', id: trackingNumber } });
    return { erased: { trackingNumber, erasedAt: result.erasedAt }, cancelled: result.cancelled };
  });
  publishErased(rt.changes, cancelled);
  return erased;
}
