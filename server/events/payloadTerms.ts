/**
 * Search by content: a JSON event's scalar fields as terms, `path=value`, e.g.
 * `data.order_id="ORD-100"` or `data.amount=299.99`, stored with the event (read at
 * ingest, where the body is parsed anyway) and indexed with GIN, so "events whose
 * `data.order_id` is "ORD-100"" is an index lookup however many events there are.
 *
 * A path is the keys from the top joined by dots; array elements take their array's path
 * (`items.sku` matches any item). Values are their JSON text. Terms are bounded (count and
 * length) so a large body cannot make a large index entry; fields past the bounds are not
 * searchable.
 */

/** Terms one event keeps, at most. */
export const MAX_TERMS = 200;
/** A term's length, at most, in characters; longer values are not searchable. */
export const MAX_TERM_LENGTH = 300;
/** How deep fields are read. */
const MAX_DEPTH = 8;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** The terms of a parsed JSON body (none for a body that is not an object or array). */
export function payloadTerms(json: unknown): string[] {
  const terms = new Set<string>();
  const visit = (value: unknown, path: string, depth: number): void => {
    if (terms.size >= MAX_TERMS || depth > MAX_DEPTH) return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item, path, depth + 1);
      return;
    }
    if (value !== null && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) visit(inner, path ? `${path}.${key}` : key, depth + 1);
      return;
    }
    if (!path) return;
    const term = payloadTerm(path, value);
    if (term) terms.add(term);
  };
  visit(json, '', 0);
  return [...terms];
}

/**
 * One term, or null when it cannot be kept: too long, or with a NUL in its path
 * (PostgreSQL text cannot hold one; values are JSON text, where it is escaped). A lone
 * surrogate in a path (JSON.parse lets them through) is made well-formed.
 */
export function payloadTerm(path: string, value: unknown): string | null {
  const term = `${path.replace(LONE_SURROGATE, '\ufffd')}=${JSON.stringify(value)}`;
  return term.length <= MAX_TERM_LENGTH && !term.includes('\u0000') ? term : null;
}

/**
 * The terms a search for `path` equal to `equals` may match: the JSON string with that
 * text, and the number, boolean or null it spells when it spells one (`100` finds both
 * `"100"` and `100`).
 */
export function termsMatching(path: string, equals: string): string[] {
  const candidates: unknown[] = [equals];
  try {
    const literal: unknown = JSON.parse(equals);
    if (literal === null || ['number', 'boolean'].includes(typeof literal)) candidates.push(literal);
  } catch {
    // Not a JSON literal: only the string.
  }
  return candidates.map((value) => payloadTerm(path, value)).filter((term) => term !== null);
}

/**
 * Whether `equals` spells an integer JavaScript cannot hold exactly (past 2^53): events
 * keep such a number rounded, so it shares its term with its neighbours
 * (1234567890123456789 and …788 are both …800), and a match by it finds theirs too.
 */
export function spellsInexactInteger(equals: string): boolean {
  try {
    const literal: unknown = JSON.parse(equals);
    return typeof literal === 'number' && Number.isInteger(literal) && !Number.isSafeInteger(literal);
  } catch {
    return false;
  }
}
