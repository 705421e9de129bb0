/**
 * An endpoint's event-type filter: a list of event-type names and wildcard patterns.
 * `*` matches any run of characters, dots included: `order.*` matches `order.created`
 * and `order.item.added`; `*.failed` matches `payment.failed`. An empty filter accepts
 * every event, typed or not; a non-empty one accepts only typed events it matches.
 */

const PATTERN = /^[A-Za-z0-9_.:\-/*]{1,255}$/;
export const EVENT_TYPE = /^[A-Za-z0-9_.:\-/]{1,255}$/;

/** Null when the filter is valid, else what is wrong with it. */
export function filterProblem(filter: string[]): string | null {
  if (filter.length > 100) return 'at most 100 event types';
  const bad = filter.find((pattern) => !PATTERN.test(pattern));
  return bad === undefined
    ? null
    : `"${bad}" is not an event type or pattern (letters, digits, _ . : - / and * only; at most 255 characters)`;
}

const compiled = new Map<string, RegExp>();

function toRegExp(pattern: string): RegExp {
  let regExp = compiled.get(pattern);
  if (!regExp) {
    const source = pattern
      .split('*')
      .map((part) => part.replace(/[.\-/]/g, '\\$&'))
      .join('.*');
    regExp = new RegExp(`^${source}$`);
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(pattern, regExp);
  }
  return regExp;
}

export function acceptsEventType(filter: readonly string[], eventType: string | null): boolean {
  if (filter.length === 0) return true;
  if (eventType === null) return false;
  return filter.some((pattern) => toRegExp(pattern).test(eventType));
}
