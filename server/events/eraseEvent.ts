/**
 * Erasing one event (a data-subject request, a secret sent by mistake): its body, and
 * the response bodies and headers its attempts captured (a receiver may echo the
 * payload), are gone for good; its row stays as a tombstone with the tracking number,
 * the mailbox, the type, the times and `erased_at`, so the history says it existed and
 * was erased. Its waiting and failed deliveries end cancelled (deliveries/erase.ts); an
 * attempt in flight must finish first. Admins only, recorded in the audit log.
 *
 * PostgreSQL keeps an old row version until vacuum reclaims it, and backups keep theirs:
 * erasure here is from everything Hookpost can read.
 */
import { recordAudit } from '../audit/auditLog.ts';
import { authorize, type Actor } from '../auth/roles.ts';
import { withTransaction } from '../db/pool.ts';
import { cancelForErasure, hasAttemptInFlight, publishErased } from '../deliveries/erase.ts';
import { AppError, notFound } from '../errors.ts';
import { isUuid } from '../ids.ts';
import { forgetIdempotencyKeyOf } from '../ingest/sql/idempotencyKeys.ts';
import type { Runtime } from '../runtime.ts';

export interface ErasedEvent {
  trackingNumber: string;
  erasedAt: Date;
}

export async function eraseEvent(
  rt: Pick<Runtime, 'pool' | 'changes'>,
  actor: Actor | null,
  trackingNumber: string,
): Promise<ErasedEvent> {
  authorize(actor, 'admin');
  if (!isUuid(trackingNumber)) throw notFound('The event');
  const { erased, cancelled } = await withTransaction(rt.pool, async (tx) => {
    const { rows } = await tx.query<{ mailbox_id: string; erased_at: Date | null }>(
      `select mailbox_id, erased_at from event where id = $1 for update`,
      [trackingNumber],
    );
    const event = rows[0];
    if (!event) throw notFound('The event');
    if (event.erased_at) return { erased: { trackingNumber, erasedAt: event.erased_at }, cancelled: [] };
    // Cancelling first locks every delivery that could still be claimed, so an attempt is
    // either in flight now (seen below: refused, all undone) or can never start.
    const cancelled = await cancelForErasure(tx, trackingNumber);
    if (await hasAttemptInFlight(tx, trackingNumber)) {
      throw new AppError('conflict', 'An attempt of this event is in flight; erase it again in a few seconds.');
    }
    const { rows: updated } = await tx.query<{ erased_at: Date }>(
      `update event set body = ''::bytea, search_terms = '{}', erased_at = now() where id = $1 returning erased_at`,
      [trackingNumber],
    );
    await tx.query(
      `update attempt set response_body = null, response_headers = null
        where delivery_id in (select id from delivery where event_id = $1)`,
      [trackingNumber],
    );
    await forgetIdempotencyKeyOf(tx, event.mailbox_id, trackingNumber);
    await recordAudit(tx, actor, { action: 'event.erase', target: { type: 'event', id: trackingNumber } });
    return { erased: { trackingNumber, erasedAt: updated[0]!.erased_at }, cancelled };
  });
  publishErased(rt.changes, cancelled);
  return erased;
}
