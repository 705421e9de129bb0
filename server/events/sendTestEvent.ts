/**
 * A test event: one event stored in the endpoint's mailbox and delivered to that
 * endpoint only, whatever its filter, as a single `test` attempt (no retries). It goes
 * through the same tables, job and signing as any event, so it proves the whole path
 * to a receiver, and it shows in the history like any other event. With an idempotency
 * key, sending the same test again (same endpoint, type and body) within the window
 * returns the first one instead of sending another (ingest/idempotency.ts).
 */
import { z } from 'zod';
import { recordAudit } from '../audit/auditLog.ts';
import { authorize, type Actor } from '../auth/roles.ts';
import { EVENT_TYPE } from './eventTypes.ts';
import { payloadTerms } from './payloadTerms.ts';
import { AppError, notFound, parseInput, unavailable } from '../errors.ts';
import { isUuid, newId } from '../ids.ts';
import { assertBodySize } from '../ingest/contentType.ts';
import { answerRepeat, identityOf, keyReused, parseIdempotencyKey } from '../ingest/idempotency.ts';
import { deliveryOrderingKey, parseOrderingKey } from './orderingKey.ts';
import { isSampleBody, sampleBody } from './testEventSample.ts';
import type { Runtime } from '../runtime.ts';

export const DEFAULT_TEST_EVENT_TYPE = 'hookpost.test';

export const testEventSchema = z.object({
  eventType: z
    .string()
    .regex(EVENT_TYPE, 'must be letters, digits, _ . : - / (at most 255 characters)')
    .default(DEFAULT_TEST_EVENT_TYPE),
  /** JSON text; a small sample when omitted. */
  body: z
    .string()
    .refine((text) => {
      try {
        JSON.parse(text);
        return true;
      } catch {
        return false;
      }
    }, 'must be valid JSON')
    .optional(),
  /** Makes sending again safe: the same key returns the first test event (1-255 printable ASCII). */
  idempotencyKey: z.string().optional(),
  /** Its ordering key (1-255 printable ASCII), as `x-ordering-key` gives one: an endpoint ordered by key sends it in line with that key's events. */
  orderingKey: z.string().optional(),
});

export interface SentTestEvent {
  eventId: string;
  deliveryId: string;
}

export async function sendTestEvent(
  rt: Pick<Runtime, 'eventWriter' | 'prisma' | 'config' | 'pool'>,
  actor: Actor | null,
  endpointId: string,
  input: { eventType?: string; body?: string; idempotencyKey?: string; orderingKey?: string } = {},
): Promise<SentTestEvent> {
  authorize(actor, 'operator');
  const data = parseInput(testEventSchema, input);
  const key = parseIdempotencyKey(data.idempotencyKey);
  const orderingKey = parseOrderingKey(data.orderingKey);
  if (!isUuid(endpointId)) throw notFound('The endpoint');
  const endpoint = await rt.prisma.endpoint.findFirst({
    where: { id: endpointId, deletedAt: null },
    select: { id: true, mailboxId: true, enabled: true, orderedByKey: true, orderingKeyField: true },
  });
  if (!endpoint) throw notFound('The endpoint');
  if (!endpoint.enabled) throw new AppError('conflict', 'The endpoint is disabled; enable it to send a test event.');

  const eventId = newId();
  const deliveryId = newId();
  const body = data.body === undefined ? sampleBody(data.eventType, endpoint.id, new Date()) : Buffer.from(data.body);
  assertBodySize(body, rt.config.maxBodyBytes);

  const json: unknown = JSON.parse(body.toString('utf8'));
  const written = await rt.eventWriter.submit({
    id: eventId,
    mailboxId: endpoint.mailboxId,
    eventType: data.eventType,
    contentType: 'application/json',
    body,
    deliveries: [
      { id: deliveryId, endpointId: endpoint.id, orderingKey: deliveryOrderingKey(endpoint, { orderingKey, json }) },
    ],
    trigger: 'test',
    searchTerms: payloadTerms(json),
    idempotencyKey: key,
    orderingKey,
  });
  if (written.stored) {
    // Recorded once the event is: a test event is written by the group commit, with others.
    await recordAudit(rt.pool, actor, {
      action: 'endpoint.send_test_event',
      target: { type: 'endpoint', id: endpoint.id },
      summary: { eventId, eventType: data.eventType },
    });
    return { eventId, deliveryId };
  }
  if (!written.original)
    throw unavailable('The test event of this idempotency key could not be read; send it again.', 1);
  // A repeat without a body asks for the sample again, which has another time in it.
  const original = written.original;
  let repeat = identityOf({ body, eventType: data.eventType, contentType: 'application/json', orderingKey });
  if (data.body === undefined) {
    const stored = await rt.prisma.event.findUnique({ where: { id: original.eventId }, select: { body: true } });
    if (stored && isSampleBody(Buffer.from(stored.body), data.eventType, endpoint.id)) {
      repeat = { ...repeat, bodyHash: original.identity.bodyHash };
    }
  }
  const { trackingNumber } = answerRepeat(key!, repeat, original);
  const delivery = await rt.prisma.delivery.findFirst({
    where: { eventId: trackingNumber, endpointId: endpoint.id },
    select: { id: true },
  });
  // The key was used for a test event of another endpoint of the mailbox.
  if (!delivery) throw keyReused(key!, trackingNumber);
  return { eventId: trackingNumber, deliveryId: delivery.id };
}
