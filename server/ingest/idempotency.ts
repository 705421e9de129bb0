/**
 * Idempotency keys, the rules: a producer that sends the same `Idempotency-Key` to the
 * same mailbox again within the window gets the first request's answer (the same tracking
 * number) and creates nothing; the same key for another event (another body, type,
 * Content-Type or ordering key) is refused, because the producer has reused a key for a
 * different event and one of the two would be lost silently. The key is a column of its
 * event, unique per mailbox, claimed by the event's own insert (sql/insertEvents.ts); a
 * repeat is compared with the stored event, so nothing else is kept per key.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../errors.ts';
import { canonicalContentType } from './contentType.ts';

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

/** What a repeat is compared with its original on: what makes an event this event. */
export interface EventIdentity {
  /** SHA-256 of the body, byte for byte. */
  bodyHash: Buffer;
  eventType: string | null;
  contentType: string;
  orderingKey: string | null;
}

export function bodyHash(body: Buffer): Buffer {
  return createHash('sha256').update(body).digest();
}

/**
 * A stored or incoming event's identity. Content-Types compare as media types do
 * (canonicalContentType). The type is the event's, from `x-event-type` or the body: the same
 * body sent once with the header and once with the type only in it is the same event.
 */
export function identityOf(event: {
  body: Buffer;
  eventType: string | null;
  contentType: string;
  orderingKey?: string | null;
}): EventIdentity {
  return {
    bodyHash: bodyHash(event.body),
    eventType: event.eventType,
    contentType: event.contentType,
    orderingKey: event.orderingKey ?? null,
  };
}

export function sameEvent(a: EventIdentity, b: EventIdentity): boolean {
  return (
    a.bodyHash.equals(b.bodyHash) &&
    a.eventType === b.eventType &&
    canonicalContentType(a.contentType) === canonicalContentType(b.contentType) &&
    a.orderingKey === b.orderingKey
  );
}

/** The event that first claimed a key, as stored. */
export interface OriginalEvent {
  eventId: string;
  /** Whether it has deliveries (its 202 said `queued`, else `unrouted`). */
  routed: boolean;
  identity: EventIdentity;
}

/** A repeated request's answer: the original event, or a refusal when it is another event. */
export function answerRepeat(
  key: string,
  repeat: EventIdentity,
  original: OriginalEvent,
): { trackingNumber: string; routed: boolean } {
  if (!sameEvent(repeat, original.identity)) throw keyReused(key, original.eventId);
  return { trackingNumber: original.eventId, routed: original.routed };
}

export function keyReused(key: string, eventId: string): AppError {
  return new AppError(
    'idempotency_key_reused',
    `The Idempotency-Key "${key}" was already used for another event (event ${eventId}: another body, type, Content-Type, ordering key or endpoint); use a new key for a new event.`,
  );
}

/** The mailbox and key a claim is unique on, as one string. */
export const claimKey = (mailboxId: string, key: string) => `${mailboxId}\n${key}`;

/**
 * The order a batch's events are inserted in: by mailbox and key, so that concurrent
 * batches (in this process or another) wait on each other's keys in the same order and
 * cannot deadlock; then the events without a key, which wait on nothing. Keys first,
 * so a taken key fails the insert before the other bodies are written.
 */
export function lockOrder<T extends { mailboxId: string; idempotencyKey?: string }>(items: T[]): T[] {
  const keyed = items
    .filter((item) => item.idempotencyKey !== undefined)
    .map((item) => ({ item, at: claimKey(item.mailboxId, item.idempotencyKey!) }))
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
    .map(({ item }) => item);
  return [...keyed, ...items.filter((item) => item.idempotencyKey === undefined)];
}
