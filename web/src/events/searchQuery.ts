/**
 * What an operator types in the events search box, understood: each word becomes a term
 * of the filter, or a note saying why it cannot be one (shown beside the box, before any
 * request: the filter sent is always one the server takes).
 *
 *   018f3c2a                  tracking number starting with those digits
 *   order.created  order.*    event type (a name with letters, dots, `*` for any run)
 *   type:invoice.*            event type, said explicitly
 *   tn:018f…                  tracking number, said explicitly
 *   503  status:503           a delivery whose latest attempt got this HTTP status
 *   error:timeout             a delivery whose latest attempt failed this way
 *   data.order_id:ORD-1       a JSON field (keys from the top, joined by dots) equal to a value;
 *   data.order_id=ORD-1       `=` works too, and "quotes" keep spaces in a value
 *
 * Pure, so every rule is tested without a browser.
 */
import type { PayloadFieldMatch } from '../generated/graphql.ts';

export type SearchTerm =
  | { kind: 'trackingNumber'; text: string; prefix: string }
  | { kind: 'eventType'; text: string; pattern: string }
  | { kind: 'statusCode'; text: string; code: number }
  | { kind: 'errorKind'; text: string; errorKind: string }
  | { kind: 'payload'; text: string; match: PayloadFieldMatch };

export interface SearchProblem {
  text: string;
  message: string;
}

export interface ParsedSearch {
  terms: SearchTerm[];
  problems: SearchProblem[];
  /** What the terms add to the events filter. */
  trackingNumberPrefix?: string;
  /** The filter's event types: the box's and the search's, deduplicated and within the server's bounds. */
  eventTypes: string[];
  deliveryStatusCode?: number;
  deliveryErrorKind?: string;
  payload: PayloadFieldMatch[];
}

/** The ways an attempt fails, as the server records them. */
export const errorKinds = [
  'http_status',
  'redirect',
  'timeout',
  'connection_refused',
  'connection_reset',
  'dns',
  'tls',
  'blocked_target',
  'network',
  'aborted',
];

const HEX = /^[0-9a-f-]+$/i;
const EVENT_TYPE = /^[\w.:*/-]+$/;
const STATUS_KEYS = ['status', 'http', 'code'];
const ERROR_KEYS = ['error', 'kind'];
/** The server's bounds on a payload search. */
const MAX_FIELDS = 20;
const MAX_PATH = 200;
const MAX_VALUE = 300;
/** The server's bounds on the filter's event types (it refuses more with validation_failed). */
const MAX_EVENT_TYPES = 20;
const MAX_EVENT_TYPE_LENGTH = 255;
/**
 * How much of a search is read: it comes from the URL too (`?q=`), and a crafted link
 * with thousands of words would otherwise be parsed, listed and matched on every render.
 */
const MAX_QUERY_LENGTH = 2_000;
const MAX_WORDS = 50;

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
  if (pattern.length > MAX_EVENT_TYPE_LENGTH)
    return { text, message: `An event type is at most ${MAX_EVENT_TYPE_LENGTH} characters.` };
  return { kind: 'eventType', text, pattern };
}

function statusTerm(text: string, value: string): SearchTerm | SearchProblem {
  const code = /^\d{3}$/.test(value) ? Number(value) : Number.NaN;
  if (!(code >= 100 && code <= 599)) return { text, message: 'An HTTP status is a number from 100 to 599, like 503.' };
  return { kind: 'statusCode', text, code };
}

function errorTerm(text: string, value: string): SearchTerm | SearchProblem {
  const kind = value.toLowerCase();
  if (!errorKinds.includes(kind)) return { text, message: `An error kind is one of ${errorKinds.join(', ')}.` };
  return { kind: 'errorKind', text, errorKind: kind };
}

function payloadTerm(text: string, path: string, rawValue: string): SearchTerm | SearchProblem {
  const value = unquote(rawValue);
  if (!/^[^.]+(\.[^.]+)*$/.test(path) || path.length > MAX_PATH)
    return { text, message: 'A field is keys joined by dots, from the top of the payload: data.order_id.' };
  if (value === '') return { text, message: `Say what “${path}” should equal: ${path}:value.` };
  if (value.length > MAX_VALUE) return { text, message: `A value is at most ${MAX_VALUE} characters.` };
  return { kind: 'payload', text, match: { path, equals: value } };
}

const unquote = (value: string) =>
  value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;

/** One word, as the operator most likely meant it. */
function termOf(word: string): SearchTerm | SearchProblem {
  // `path=value` is always a payload field; `key:value` is one unless the key is a word of the search itself.
  const equals = word.indexOf('=');
  const colon = word.indexOf(':');
  if (equals > 0 && (colon === -1 || equals < colon))
    return payloadTerm(word, word.slice(0, equals), word.slice(equals + 1));
  if (colon > 0) {
    const key = word.slice(0, colon);
    const value = word.slice(colon + 1);
    const lower = key.toLowerCase();
    if (lower === 'type' || lower === 'event') return typeTerm(word, value);
    if (lower === 'tn' || lower === 'id' || lower === 'tracking') return trackingTerm(word, value);
    if (STATUS_KEYS.includes(lower)) return statusTerm(word, value);
    if (ERROR_KEYS.includes(lower)) return errorTerm(word, value);
    // Any other key names a payload field (an event type with a colon in it is `type:…`).
    return payloadTerm(word, key, value);
  }
  // Three digits from 100 to 599 are an HTTP status (tracking numbers start 01… until the 2080s).
  if (/^[1-5]\d\d$/.test(word)) return statusTerm(word, word);
  // Hex digits and hyphens only, with a digit: the start of a tracking number.
  if (HEX.test(word) && /\d/.test(word)) return trackingTerm(word, word);
  if (/^[A-Z]+-?\d+$/.test(word))
    return {
      text: word,
      message: `“${word}” looks like a value from a payload: say which field holds it, like data.order_id:${word}.`,
    };
  if (/[.*]/.test(word) || /^[a-z][\w-]*$/i.test(word)) return typeTerm(word, word);
  return {
    text: word,
    message: 'Not a tracking number, an event type, status:503, error:timeout, or a field like data.order_id:ORD-1.',
  };
}

/** Words split at spaces and commas, except inside "double quotes". */
export function searchWords(query: string): string[] {
  return query.match(/(?:[^\s,"]+|"[^"]*")+/g) ?? [];
}

/**
 * The event types the filter sends: those of the filter's own box and the search's, each
 * once, as many and as long as the server takes; a note for each one left out.
 */
function combineEventTypes(
  fromBox: string[],
  fromSearch: string[],
): { eventTypes: string[]; problems: SearchProblem[] } {
  const problems: SearchProblem[] = [];
  const eventTypes: string[] = [];
  let over: string | undefined;
  for (const type of new Set([...fromBox, ...fromSearch])) {
    if (type.length > MAX_EVENT_TYPE_LENGTH)
      problems.push({
        text: `${type.slice(0, 40)}…`,
        message: `An event type is at most ${MAX_EVENT_TYPE_LENGTH} characters: not used.`,
      });
    else if (eventTypes.length < MAX_EVENT_TYPES) eventTypes.push(type);
    else over ??= type;
  }
  if (over !== undefined)
    problems.push({
      text: over,
      message: `At most ${MAX_EVENT_TYPES} event types at a time: the first ${MAX_EVENT_TYPES} are used.`,
    });
  return { eventTypes, problems };
}

/**
 * The search, understood. `boxEventTypes` are the filter's own event types: with the
 * search's, they are sent as one list, so the server's bound applies to both together.
 */
export function parseSearch(query: string, boxEventTypes: string[] = []): ParsedSearch {
  const terms: SearchTerm[] = [];
  const problems: SearchProblem[] = [];
  if (query.length > MAX_QUERY_LENGTH)
    problems.push({
      text: `${query.slice(MAX_QUERY_LENGTH, MAX_QUERY_LENGTH + 20)}…`,
      message: `A search is at most ${MAX_QUERY_LENGTH.toLocaleString('en')} characters: the rest is not used.`,
    });
  const words = searchWords(query.slice(0, MAX_QUERY_LENGTH));
  if (words.length > MAX_WORDS)
    problems.push({
      text: words[MAX_WORDS]!,
      message: `A search is at most ${MAX_WORDS} words: the first ${MAX_WORDS} are used.`,
    });
  for (const word of words.slice(0, MAX_WORDS)) {
    const term = termOf(word);
    if ('kind' in term) terms.push(term);
    else problems.push(term);
  }
  const only = <K extends SearchTerm['kind']>(kind: K, what: string) => {
    const found = terms.filter((term): term is Extract<SearchTerm, { kind: K }> => term.kind === kind);
    if (found.length > 1)
      problems.push({ text: found[1]!.text, message: `One ${what} at a time: the first one is used.` });
    return found[0];
  };
  const tracking = only('trackingNumber', 'tracking number');
  const status = only('statusCode', 'HTTP status');
  const error = only('errorKind', 'error kind');
  const payload = terms.flatMap((term) => (term.kind === 'payload' ? [term.match] : []));
  if (payload.length > MAX_FIELDS)
    problems.push({
      text: terms.filter((term) => term.kind === 'payload')[MAX_FIELDS]!.text,
      message: `At most ${MAX_FIELDS} fields: the first ${MAX_FIELDS} are used.`,
    });
  const eventTypes = combineEventTypes(
    boxEventTypes,
    terms.flatMap((term) => (term.kind === 'eventType' ? [term.pattern] : [])),
  );
  problems.push(...eventTypes.problems);
  return {
    terms,
    problems,
    trackingNumberPrefix: tracking?.prefix,
    eventTypes: eventTypes.eventTypes,
    deliveryStatusCode: status?.code,
    deliveryErrorKind: error?.errorKind,
    payload: payload.slice(0, MAX_FIELDS),
  };
}

/** A term in words, for the line under the box: what it searches, and the value. */
export function describeTerm(term: SearchTerm): { what: string; value: string } {
  switch (term.kind) {
    case 'trackingNumber':
      return { what: 'tracking number starts with', value: term.prefix };
    case 'eventType':
      return { what: 'event type', value: term.pattern };
    case 'statusCode':
      return { what: 'a delivery last answered HTTP', value: String(term.code) };
    case 'errorKind':
      return { what: 'a delivery last failed with', value: term.errorKind };
    case 'payload':
      return { what: `payload ${term.match.path} is`, value: term.match.equals };
  }
}
