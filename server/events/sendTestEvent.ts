/**
 * A test event: one event stored in the endpoint's mailbox and delivered to that
 * endpoint only, whatever its filter, as a single `test` attempt (no retries). It goes
 * through the same tables, job and signing as any event, so it proves the whole path
 * to a receiver, and it shows in the history like any other event.
 */
import { z } from 'zod';
import { recordAudit } from '../audit/auditLog.ts';
import { authorize, type Actor } from '../auth/roles.ts';
import { withTransaction } from '../db/pool.ts';
import { EVENT_TYPE } from './eventTypes.ts';
import { AppError, notFound, parseInput } from '../errors.ts';
import { isUuid, newId } from '../ids.ts';
import { assertBodySize } from '../ingest/contentType.ts';
import { insertEvents } from '../ingest/sql/insertEvents.ts';
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
});

export interface SentTestEvent {
  eventId: string;
  deliveryId: string;
}

export async function sendTestEvent(
  rt: Pick<Runtime, 'pool' | 'prisma' | 'config'>,
  actor: Actor | null,
  endpointId: string,
  input: { eventType?: string; body?: string } = {},
): Promise<SentTestEvent> {
  authorize(actor, 'operator');
  const data = parseInput(testEventSchema, input);
  if (!isUuid(endpointId)) throw notFound('The endpoint');
  const endpoint = await rt.prisma.endpoint.findFirst({
    where: { id: endpointId, deletedAt: null },
    select: { id: true, mailboxId: true, enabled: true },
  });
  if (!endpoint) throw notFound('The endpoint');
  if (!endpoint.enabled) throw new AppError('conflict', 'The endpoint is disabled; enable it to send a test event.');

  const eventId = newId();
  const deliveryId = newId();
  const body = Buffer.from(
    data.body ??
      JSON.stringify({
        event: data.eventType,
        data: { message: 'A test event from Hookpost.', endpoint_id: endpoint.id, sent_at: new Date().toISOString() },
      }),
  );
  assertBodySize(body, rt.config.maxBodyBytes);

  await withTransaction(rt.pool, async (client) => {
    await insertEvents(client, [
      {
        id: eventId,
        mailboxId: endpoint.mailboxId,
        eventType: data.eventType,
        contentType: 'application/json',
        body,
        deliveries: [{ id: deliveryId, endpointId: endpoint.id }],
        trigger: 'test',
      },
    ]);
    await recordAudit(client, actor, {
      action: 'endpoint.send_test_event',
      target: { type: 'endpoint', id: endpoint.id },
      summary: { eventId, eventType: data.eventType },
    });
  });
  return { eventId, deliveryId };
}
