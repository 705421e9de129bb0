/**
 * Idempotency keys, the rules: a producer that sends the same `Idempotency-Key` to the
 * same mailbox again within the window gets the first request's answer (the same tracking
 * number) and creates nothing; the same key with another body (or type, Content-Type or
 * ordering key) is refused, because the
 * producer has reused a key for a different event and one of the two would be lost
 * silently. The claim itself is SQL (sql/idempotencyKeys.ts), in the transaction that
 * stores the event (eventWriter.ts).
 */
import { createHash } from 'node:crypto';
import { AppError } from '../errors.ts';

/** Longest key accepted, in characters. Keys are usually UUIDs or `<order id>-<step>`. */
export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

/** Printable ASCII, so a key shows and compares the same everywhere (logs, SQL, headers). */
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

/** The key a request carries, checked (400 `invalid_idempotency_key`), or undefined when none. */
export function parseIdempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (Array.isArray(header)) {
    throw new AppError('invalid_idempotency_key', 'Send one Idempotency-Key header, not several.');
  }
  if (header.length === 0 || header.length > IDEMPOTENCY_KEY_MAX_LENGTH || !PRINTABLE_ASCII.test(header)) {
    throw new AppError(
      'invalid_idempotency_key',
      `The Idempotency-Key must be 1 to ${IDEMPOTENCY_KEY_MAX_LENGTH} printable ASCII characters.`,
    );
  }
  return header;
}

/** What a repeated request is compared on: its body, byte for byte. */
export function bodyHash(body: Buffer): Buffer {
  return createHash('sha256').update(body).digest();
}

/** The headers that change what an event is, beside its body. */
export interface RequestHeaders {
  contentType: string | undefined;
  eventTypeHeader: string | undefined;
  orderingKey: string | undefined;
}

/**
 * What a repeated ingest request is compared on: its body and the headers that make it
 * another event (its Content-Type, `x-event-type`, `x-ordering-key`), so a key reused for
 * the same bytes under another type is refused like one reused for another body. A
 * request with none of those headers set beyond JSON hashes as its body alone, as keys
 * stored before the headers were compared did.
 */
export function requestHash(body: Buffer, headers: RequestHeaders): Buffer {
  const contentType = headers.contentType?.trim().toLowerCase();
  const parts = [
    contentType === undefined || contentType === 'application/json' ? '' : contentType,
    headers.eventTypeHeader ?? '',
    headers.orderingKey ?? '',
  ];
  if (parts.every((part) => part === '')) return bodyHash(body);
  const hash = createHash('sha256').update(body);
  // Each part with its length, so no two different requests give the same input.
  for (const part of parts) hash.update(`\0${Buffer.byteLength(part)}:${part}`);
  return hash.digest();
}

export interface IdempotencyClaim {
  key: string;
  bodyHash: Buffer;
}

/** The first request's outcome, as recorded with its key. */
export interface OriginalRequest {
  bodyHash: Buffer;
  eventId: string;
  routed: boolean;
}

/** A repeated request's answer: the original event, or a refusal when the body differs. */
export function answerRepeat(
  claim: IdempotencyClaim,
  original: OriginalRequest,
): { trackingNumber: string; routed: boolean } {
  if (!claim.bodyHash.equals(original.bodyHash)) {
    throw new AppError(
      'idempotency_key_reused',
      `The Idempotency-Key "${claim.key}" was already used for another event (event ${original.eventId}: another body, type, Content-Type or ordering key); use a new key for a new event.`,
    );
  }
  return { trackingNumber: original.eventId, routed: original.routed };
}

/** The mailbox and key a claim is unique on, as one string. */
export const claimKey = (mailboxId: string, key: string) => `${mailboxId}\n${key}`;

/**
 * Of the items of one batch, those that claim their key: the first of each (mailbox, key)
 * in arrival order, sorted by mailbox and key so that concurrent batches lock keys in the
 * same order and cannot deadlock. Later items with the same key are repeats of it.
 */
export function firstClaims<T extends { mailboxId: string; idempotency?: IdempotencyClaim }>(items: T[]): T[] {
  const first = new Map<string, T>();
  for (const item of items) {
    if (!item.idempotency) continue;
    const at = claimKey(item.mailboxId, item.idempotency.key);
    if (!first.has(at)) first.set(at, item);
  }
  return [...first.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, item]) => item);
}
