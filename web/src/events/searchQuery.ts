/**
 * What an operator types in the events search box, understood: each word becomes a
 * term of the filter, or a note saying why it cannot be one. Today the server searches
 * tracking numbers (by prefix) and event types; `key:value` words are read already, so
 * payload fields, HTTP status and error kind become terms by adding a case here once the
 * server can filter on them, and until then say so instead of failing the query.
 *
 *   018f3c2a             tracking number starting with those digits
 *   order.created        event type (a name with letters, dots, `*` for any run)
 *   type:invoice.*       event type, said explicitly
 *   tn:018f…             tracking number, said explicitly
 *   status:500  error:timeout  order_id:ORD-1   read, not searchable yet
 *
 * Pure, so every rule is tested without a browser.
 */
export type SearchTerm =
  { kind: 'trackingNumber'; text: string; prefix: string } | { kind: 'eventType'; text: string; pattern: string };

export interface SearchProblem {
  text: string;
  message: string;
}

export interface ParsedSearch {
  terms: SearchTerm[];
  problems: SearchProblem[];
  /** What the terms add to the events filter. */
  trackingNumberPrefix?: string;
  eventTypes: string[];
}

const HEX = /^[0-9a-f-]+$/i;
const EVENT_TYPE = /^[\w.:*/-]+$/;
/** Fields the server cannot filter on yet; typed as `field:value` they get a note, not an error. */
const LATER: Record<string, string> = {
  status: 'HTTP status',
  http: 'HTTP status',
  code: 'HTTP status',
  error: 'error kind',
  kind: 'error kind',
};

function trackingTerm(text: string, digits: string): SearchTerm | SearchProblem {
  const prefix = digits.toLowerCase();
  if (!HEX.test(prefix) || prefix.replaceAll('-', '').length === 0)
    return { text, message: 'A tracking number has only the digits 0–9 and the letters a–f (hyphens optional).' };
  if (prefix.replaceAll('-', '').length > 32)
    return { text, message: 'A tracking number has 32 hexadecimal digits; this has more.' };
  return { kind: 'trackingNumber', text, prefix };
}

function typeTerm(text: string, pattern: string): SearchTerm | SearchProblem {
  if (!pattern || !EVENT_TYPE.test(pattern))
    return { text, message: 'An event type is letters, digits and . _ - : / with * for any run of characters.' };
  return { kind: 'eventType', text, pattern };
}

/** One word, as the operator most likely meant it. */
function termOf(word: string): SearchTerm | SearchProblem {
  const colon = word.indexOf(':');
  if (colon > 0) {
    const key = word.slice(0, colon).toLowerCase();
    const value = word.slice(colon + 1);
    if (key === 'type' || key === 'event') return typeTerm(word, value);
    if (key === 'tn' || key === 'id' || key === 'tracking') return trackingTerm(word, value);
    const what = LATER[key] ?? `the payload field “${word.slice(0, colon)}”`;
    return {
      text: word,
      message: `Searching by ${what} is not available yet; search a tracking number or an event type.`,
    };
  }
  // Hex digits and hyphens only, with a digit: the start of a tracking number.
  if (HEX.test(word) && /\d/.test(word)) return trackingTerm(word, word);
  if (/[.*]/.test(word) || /^[a-z][\w-]*$/i.test(word)) {
    if (/^[A-Z]+-?\d+$/.test(word))
      return {
        text: word,
        message: `“${word}” looks like an id from a payload; searching payloads is not available yet. Search a tracking number or an event type.`,
      };
    return typeTerm(word, word);
  }
  return { text: word, message: 'Not a tracking number (hex digits) nor an event type (order.created, order.*).' };
}

export function parseSearch(query: string): ParsedSearch {
  const terms: SearchTerm[] = [];
  const problems: SearchProblem[] = [];
  for (const word of query.split(/[\s,]+/).filter(Boolean)) {
    const term = termOf(word);
    if ('kind' in term) terms.push(term);
    else problems.push(term);
  }
  const tracking = terms.filter((term) => term.kind === 'trackingNumber');
  if (tracking.length > 1)
    problems.push({ text: tracking[1]!.text, message: 'One tracking number at a time: the first one is used.' });
  return {
    terms,
    problems,
    trackingNumberPrefix: tracking[0]?.prefix,
    eventTypes: terms.flatMap((term) => (term.kind === 'eventType' ? [term.pattern] : [])),
  };
}
