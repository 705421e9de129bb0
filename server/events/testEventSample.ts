/**
 * The body of a test event sent without one: a small JSON sample naming its endpoint and
 * the time it was sent. A repeat of such a test (same idempotency key, still no body)
 * asks for the same sample, though its time differs (sendTestEvent.ts).
 */
const SAMPLE_MESSAGE = 'A test event from Hookpost.';

/** The sample for this type and endpoint, sent at `sentAt`. */
export function sampleBody(eventType: string, endpointId: string, sentAt: Date): Buffer {
  return Buffer.from(
    JSON.stringify({
      event: eventType,
      data: { message: SAMPLE_MESSAGE, endpoint_id: endpointId, sent_at: sentAt.toISOString() },
    }),
  );
}

/** Whether a stored body is the sample of this type and endpoint, sent at any time. */
export function isSampleBody(body: Buffer, eventType: string, endpointId: string): boolean {
  try {
    const sample = JSON.parse(body.toString('utf8')) as { data?: { sent_at?: unknown } };
    const sentAt = sample.data?.sent_at;
    return typeof sentAt === 'string' && sampleBody(eventType, endpointId, new Date(sentAt)).equals(body);
  } catch {
    return false;
  }
}
