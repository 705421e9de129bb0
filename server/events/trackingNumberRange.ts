/**
 * Tracking numbers are UUIDv7: their first 48 bits are the Unix time in milliseconds
 * when the event was accepted. So a time range or a typed-in prefix of tracking numbers
 * is a range of ids, which the primary key's index answers without a scan.
 */

const HEX_DIGITS = 32;

function asUuid(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** The smallest tracking number made at or after `time`. */
export function firstIdAt(time: Date): string {
  const ms = Math.min(Math.max(time.getTime(), 0), 2 ** 48 - 1);
  return asUuid(ms.toString(16).padStart(12, '0').padEnd(HEX_DIGITS, '0'));
}

/** The time in a tracking number. */
export function timeOfId(id: string): Date {
  return new Date(Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16));
}

/**
 * The ids that start with a typed prefix (hyphens optional, any case), as an inclusive
 * range; null when the prefix cannot start a UUID.
 */
export function prefixRange(prefix: string): { from: string; to: string } | null {
  const hex = prefix.replaceAll('-', '').toLowerCase();
  if (!/^[0-9a-f]{1,32}$/.test(hex)) return null;
  return { from: asUuid(hex.padEnd(HEX_DIGITS, '0')), to: asUuid(hex.padEnd(HEX_DIGITS, 'f')) };
}
