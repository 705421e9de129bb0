/**
 * The type of an event ("order.created"): the `x-event-type` header when present, else
 * the `event` or `type` field of a JSON object body. Untyped events are fine; they reach
 * endpoints without a filter.
 */
import { AppError } from '../errors.ts';
import { EVENT_TYPE } from '../events/eventTypes.ts';

export function eventTypeOf(header: string | undefined, json: unknown): string | null {
  if (header !== undefined) {
    if (!EVENT_TYPE.test(header)) {
      throw new AppError(
        'validation_failed',
        'The x-event-type header must be 1-255 characters: letters, digits, _ . : - /.',
      );
    }
    return header;
  }
  if (json && typeof json === 'object' && !Array.isArray(json)) {
    const record = json as Record<string, unknown>;
    for (const field of ['event', 'type']) {
      const value = record[field];
      if (typeof value === 'string' && EVENT_TYPE.test(value)) return value;
    }
  }
  return null;
}
