/**
 * Ordering keys, the event side: which key an event's delivery to an endpoint is ordered
 * by. An endpoint "ordered by key" gets the deliveries of one key one at a time, in arrival
 * order (the rule itself: deliveries/orderingLine.ts). The key is the producer's
 * `x-ordering-key` header; without one, an endpoint may name a JSON body field to read it
 * from (`data.customer_id`). An event with neither has no key there and is delivered
 * like on any endpoint, in parallel: ordering is opt-in per event as well as per endpoint.
 */
import { AppError } from '../errors.ts';
import { bodyFormat } from '../ingest/contentType.ts';

export const ORDERING_KEY_HEADER = 'x-ordering-key';

/** Longest key, in characters: enough for ids and `<tenant>:<customer>` pairs, small in an index. */
export const ORDERING_KEY_MAX_LENGTH = 255;

/** Printable ASCII, so a key shows and compares the same everywhere (logs, SQL, headers). */
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

/** The key a request carries, checked (400 `invalid_ordering_key`), or undefined when none. */
export function parseOrderingKey(header: string | string[] | undefined | null): string | undefined {
  if (header === undefined || header === null) return undefined;
  if (Array.isArray(header)) throw new AppError('invalid_ordering_key', 'Send one x-ordering-key header, not several.');
  if (header.length === 0 || header.length > ORDERING_KEY_MAX_LENGTH || !PRINTABLE_ASCII.test(header)) {
    throw new AppError(
      'invalid_ordering_key',
      `The ordering key must be 1 to ${ORDERING_KEY_MAX_LENGTH} printable ASCII characters.`,
    );
  }
  return header;
}

/** How deep a key field may be named, in fields. */
const MAX_FIELD_DEPTH = 8;
const FIELD_NAME = /^[A-Za-z0-9_$@-]{1,64}$/;

/** Why an endpoint's `ordering_key_field` cannot be used, or null when it can: dot-separated field names. */
export function orderingKeyFieldProblem(path: string): string | null {
  const names = path.split('.');
  if (names.length > MAX_FIELD_DEPTH) return `must name at most ${MAX_FIELD_DEPTH} nested fields`;
  if (!names.every((name) => FIELD_NAME.test(name))) {
    return 'must be field names joined by dots (letters, digits, _ $ @ -, at most 64 each), like data.customer_id';
  }
  return null;
}

/**
 * The key at `path` of a parsed JSON body: a string of 1 to 255 characters without control
 * characters, or a whole number, as text. Anything else (absent, null, an object, a longer
 * text) is no key: the event goes unordered rather than being refused for one endpoint's setting.
 */
export function orderingKeyAt(json: unknown, path: string): string | undefined {
  let value: unknown = json;
  for (const name of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, name)) {
      return undefined;
    }
    value = (value as Record<string, unknown>)[name];
  }
  if (typeof value === 'number') return Number.isSafeInteger(value) ? String(value) : undefined;
  if (typeof value !== 'string') return undefined;
  // eslint-disable-next-line no-control-regex
  if (value.length === 0 || value.length > ORDERING_KEY_MAX_LENGTH || /[\u0000-\u001f\u007f]/.test(value)) {
    return undefined;
  }
  return value;
}

interface OrderedEndpoint {
  orderedByKey: boolean;
  orderingKeyField: string | null;
}

/** The key an event's delivery to this endpoint is ordered by, or null when it goes unordered. */
export function deliveryOrderingKey(
  endpoint: OrderedEndpoint,
  event: { orderingKey: string | undefined; json: unknown },
): string | null {
  if (!endpoint.orderedByKey) return null;
  if (event.orderingKey !== undefined) return event.orderingKey;
  if (endpoint.orderingKeyField === null) return null;
  return orderingKeyAt(event.json, endpoint.orderingKeyField) ?? null;
}

/**
 * The key a stored event's new delivery to this endpoint is ordered by (a resend, a missed
 * event delivered after the endpoint was enabled again): the same as ingest would have given.
 */
export function storedEventOrderingKey(
  endpoint: OrderedEndpoint,
  event: { orderingKey: string | null; contentType: string; body: Uint8Array | null },
): string | null {
  if (!endpoint.orderedByKey) return null;
  if (event.orderingKey !== null) return event.orderingKey;
  if (endpoint.orderingKeyField === null || !event.body || bodyFormat(event.contentType) !== 'json') return null;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(event.body).toString('utf8'));
  } catch {
    return null;
  }
  return orderingKeyAt(json, endpoint.orderingKeyField) ?? null;
}
