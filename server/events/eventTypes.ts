/**
 * Event types ("order.created") and the patterns that select them, as endpoint filters
 * and history searches use them: names and `*` wildcards, where `*` matches any run of
 * characters, dots included (`order.*` matches `order.created` and `order.item.added`;
 * `*.failed` matches `payment.failed`). An empty filter accepts every event, typed or
 * not; a non-empty one accepts only typed events it matches.
 *
 * Matching runs on the ingest path for every endpoint of a mailbox, with patterns and
 * types that callers choose, so it must never backtrack: a pattern is cut at its `*`s
 * and the pieces are found left to right, each at its first place after the previous
 * one (for `*`-only globs the leftmost place is always a right one). Its cost grows with
 * the lengths of the type and the pattern, whatever they hold.
 */

/** The longest event type or pattern, in characters. */
export const MAX_EVENT_TYPE_LENGTH = 255;
/** The most patterns one filter may hold. */
export const MAX_FILTER_PATTERNS = 100;

// Bounded character classes: a regular expression like these runs in linear time.
export const EVENT_TYPE = /^[A-Za-z0-9_.:\-/]{1,255}$/;
const PATTERN = /^[A-Za-z0-9_.:\-/*]{1,255}$/;

/** Null when the filter is valid, else what is wrong with it. */
export function filterProblem(filter: readonly string[]): string | null {
  if (filter.length > MAX_FILTER_PATTERNS) return `at most ${MAX_FILTER_PATTERNS} event types`;
  const bad = filter.find((pattern) => !PATTERN.test(pattern));
  return bad === undefined
    ? null
    : `"${bad.length > 60 ? `${bad.slice(0, 60)}…` : bad}" is not an event type or pattern (letters, digits, _ . : - / and * only; at most ${MAX_EVENT_TYPE_LENGTH} characters)`;
}

const pieces = new Map<string, string[]>();

function piecesOf(pattern: string): string[] {
  let cut = pieces.get(pattern);
  if (!cut) {
    cut = pattern.split('*');
    if (pieces.size > 10_000) pieces.clear();
    pieces.set(pattern, cut);
  }
  return cut;
}

/** Whether one pattern matches one event type. */
export function matchesPattern(pattern: string, eventType: string): boolean {
  const parts = piecesOf(pattern);
  if (parts.length === 1) return pattern === eventType;
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (first.length + last.length > eventType.length) return false;
  if (!eventType.startsWith(first) || !eventType.endsWith(last)) return false;
  let at = first.length;
  const end = eventType.length - last.length;
  for (let i = 1; i < parts.length - 1; i++) {
    const part = parts[i]!;
    if (part === '') continue;
    const found = eventType.indexOf(part, at);
    if (found === -1 || found + part.length > end) return false;
    at = found + part.length;
  }
  return true;
}

export function acceptsEventType(filter: readonly string[], eventType: string | null): boolean {
  if (filter.length === 0) return true;
  if (eventType === null) return false;
  return filter.some((pattern) => matchesPattern(pattern, eventType));
}
