/** Option parsers for commander: they refuse bad input with a message commander prints. */
import { InvalidArgumentError } from 'commander';

export function positiveInt(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError('must be a whole number, 1 or more.');
  return number;
}

export function commaList(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  ];
}

/** `--header "name: value"`, repeatable, into a record. */
export function headerPair(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const colon = value.indexOf(':');
  if (colon < 1) throw new InvalidArgumentError('must be "name: value".');
  return { ...previous, [value.slice(0, colon).trim()]: value.slice(colon + 1).trim() };
}

/** A date, or a date-time with its offset: what JavaScript would otherwise guess at ("Dec 3" is 2001). */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/i;

export function isoTime(value: string): string {
  if (!ISO_TIME.test(value) || Number.isNaN(Date.parse(value)))
    throw new InvalidArgumentError('must be an ISO 8601 time, e.g. 2026-11-28T10:00:00Z.');
  return new Date(value).toISOString();
}
