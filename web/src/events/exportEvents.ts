/**
 * The filtered events as a file: NDJSON (one JSON object per line, the body as received)
 * or CSV (one row per event, for a spreadsheet). Pages through the events query, 100 at a
 * time, newest first, reporting progress, until the end, `maxEvents`, or `signal` aborts.
 * One answer carries a bounded number of body bytes (the server refuses more as
 * `query_too_complex`): when a page of large bodies is refused, it is asked for again
 * half as large, down to one event.
 */
export interface ExportedEvent {
  trackingNumber: string;
  receivedAt: string;
  eventType?: string | null;
  status: string;
  mailbox: { id: string; name: string };
  attemptCount: number;
  deliveryCount: number;
  lastAttemptAt?: string | null;
  contentType: string;
  body: string;
  bodyEncoding: string;
}

export type ExportFormat = 'ndjson' | 'csv';

export const EXPORT_PAGE_SIZE = 100;

export type FetchEventsPage = (
  after: string | null,
  first: number,
) => Promise<{
  rows: ExportedEvent[];
  hasNextPage: boolean;
  endCursor: string | null;
}>;

const columns = [
  'tracking_number',
  'received_at',
  'event_type',
  'status',
  'mailbox_id',
  'mailbox_name',
  'attempt_count',
  'delivery_count',
  'last_attempt_at',
  'content_type',
  'body_encoding',
  'body',
] as const;

const record = (event: ExportedEvent): Record<(typeof columns)[number], string | number | null> => ({
  tracking_number: event.trackingNumber,
  received_at: event.receivedAt,
  event_type: event.eventType ?? null,
  status: event.status,
  mailbox_id: event.mailbox.id,
  mailbox_name: event.mailbox.name,
  attempt_count: event.attemptCount,
  delivery_count: event.deliveryCount,
  last_attempt_at: event.lastAttemptAt ?? null,
  content_type: event.contentType,
  body_encoding: event.bodyEncoding,
  body: event.body,
});

/** RFC 4180: quote when needed, double the quotes; a leading = + - @ is prefixed with ' so a spreadsheet does not run it. */
function csvCell(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvHeader(): string {
  return `${columns.join(',')}\r\n`;
}

export function toLines(events: ExportedEvent[], format: ExportFormat): string {
  if (format === 'ndjson') return events.map((event) => `${JSON.stringify(record(event))}\n`).join('');
  return events
    .map((event) => {
      const row = record(event);
      return `${columns.map((column) => csvCell(row[column])).join(',')}\r\n`;
    })
    .join('');
}

/** The server's refusal of an answer too large for one request (urql's CombinedError or a GraphQL error). */
function isTooMuchAtOnce(error: unknown): boolean {
  const errors = (error as { graphQLErrors?: { extensions?: { code?: unknown } }[] }).graphQLErrors ?? [];
  return errors.some((e) => e.extensions?.code === 'query_too_complex');
}

export async function exportEvents(
  fetchPage: FetchEventsPage,
  format: ExportFormat,
  options: { maxEvents: number; signal: AbortSignal; onProgress(count: number): void },
): Promise<{ blob: Blob; count: number; complete: boolean }> {
  const parts: string[] = format === 'csv' ? [csvHeader()] : [];
  let count = 0;
  let after: string | null = null;
  let more = true;
  let first = EXPORT_PAGE_SIZE;
  while (more && count < options.maxEvents) {
    if (options.signal.aborted) throw new DOMException('The export was cancelled.', 'AbortError');
    let page: Awaited<ReturnType<FetchEventsPage>>;
    try {
      page = await fetchPage(after, first);
    } catch (error) {
      if (first === 1 || !isTooMuchAtOnce(error)) throw error;
      first = Math.ceil(first / 2);
      continue;
    }
    const rows = page.rows.slice(0, options.maxEvents - count);
    parts.push(toLines(rows, format));
    count += rows.length;
    options.onProgress(count);
    more = page.hasNextPage && rows.length > 0;
    after = page.endCursor;
  }
  const type = format === 'csv' ? 'text/csv;charset=utf-8' : 'application/x-ndjson';
  return { blob: new Blob(parts, { type }), count, complete: !more };
}
