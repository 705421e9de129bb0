/**
 * Formatting shared by the views: relative and exact times, durations, counts. Every
 * Intl formatter is built once and shared: building one costs far more than using it,
 * and a table of a thousand timestamps must not build a thousand.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The shared Intl.DateTimeFormat for these options (built on first use, then reused). */
export function dateFormat(options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = JSON.stringify(options);
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(undefined, options);
    formatters.set(key, format);
  }
  return format;
}

/** "just now", "42s ago", "5m ago", "3h ago", "2d ago"; future times say "in …". */
export function formatRelative(iso: string, now: number): string {
  const diff = now - Date.parse(iso);
  const abs = Math.abs(diff);
  if (abs < 5_000) return 'just now';
  const [value, unit] =
    abs < 60_000
      ? [Math.floor(abs / 1000), 's']
      : abs < 3_600_000
        ? [Math.floor(abs / 60_000), 'm']
        : abs < 86_400_000
          ? [Math.floor(abs / 3_600_000), 'h']
          : [Math.floor(abs / 86_400_000), 'd'];
  return diff >= 0 ? `${value}${unit} ago` : `in ${value}${unit}`;
}

/** The exact local time with milliseconds and the zone, for tooltips. */
export function formatExact(iso: string): string {
  const date = new Date(iso);
  const local = dateFormat({
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    fractionalSecondDigits: 3,
    timeZoneName: 'short',
  }).format(date);
  return `${local} (${date.toISOString()})`;
}

/** "14:03", or "Nov 27, 14:03" with the day. */
export function formatMinute(iso: string, withDay = false): string {
  return dateFormat(
    withDay
      ? { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }
      : { hour: '2-digit', minute: '2-digit' },
  ).format(new Date(iso));
}

/** "Nov 27, 2026, 14:03:07": a moment to read in full. */
export function formatDateTime(iso: string): string {
  return dateFormat({ dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(iso));
}

/** "850 ms", "2.4 s", "1m 05s". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes}m ${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;
}

let countFormat: Intl.NumberFormat | undefined;
export const formatCount = (n: number) => (countFormat ??= new Intl.NumberFormat()).format(n);

/** The first block of a tracking number, enough to recognise it in a table. */
export const shortId = (id: string) => id.slice(0, 8);
