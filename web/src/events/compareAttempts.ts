/** Two attempts side by side, line by line, with the lines that differ marked: what changed between a failure and a success. Pure. */
import { formatDuration } from '../ui/format.ts';

export interface ComparableAttempt {
  number: number;
  trigger: string;
  url: string;
  startedAt: string;
  durationMs: number;
  statusCode?: number | null;
  errorKind?: string | null;
  errorMessage?: string | null;
  requestHeaders: { name: string; value: string }[];
  responseHeaders?: { name: string; value: string }[] | null;
  responseBody?: string | null;
  responseBodyBase64?: string | null;
}

export interface ComparedLine {
  label: string;
  left: string;
  right: string;
  differs: boolean;
}

const headerLines = (prefix: string, a: ComparableAttempt['requestHeaders'] | null | undefined, b: typeof a) => {
  const names = [...new Set([...(a ?? []), ...(b ?? [])].map((header) => header.name))].sort();
  const value = (list: typeof a, name: string) =>
    (list ?? [])
      .filter((header) => header.name === name)
      .map((header) => header.value)
      .join(', ');
  return names.map((name) => ({ label: `${prefix} ${name}`, left: value(a, name), right: value(b, name) }));
};

export function compareAttempts(a: ComparableAttempt, b: ComparableAttempt): ComparedLine[] {
  const lines = [
    { label: 'Attempt', left: String(a.number), right: String(b.number) },
    { label: 'Trigger', left: a.trigger, right: b.trigger },
    { label: 'Started', left: a.startedAt, right: b.startedAt },
    { label: 'Took', left: formatDuration(a.durationMs), right: formatDuration(b.durationMs) },
    { label: 'URL', left: a.url, right: b.url },
    { label: 'HTTP status', left: String(a.statusCode ?? '—'), right: String(b.statusCode ?? '—') },
    { label: 'Error', left: a.errorKind ?? '—', right: b.errorKind ?? '—' },
    { label: 'Error message', left: a.errorMessage ?? '', right: b.errorMessage ?? '' },
    ...headerLines('Request', a.requestHeaders, b.requestHeaders),
    ...headerLines('Response', a.responseHeaders, b.responseHeaders),
    {
      label: 'Response body',
      left: a.responseBody ?? a.responseBodyBase64 ?? '',
      right: b.responseBody ?? b.responseBodyBase64 ?? '',
    },
  ];
  // Every attempt differs in these by nature; marking them would hide what matters.
  const always = new Set(['Attempt', 'Started', 'Took', 'Request webhook-timestamp', 'Request webhook-signature']);
  return lines.map((line) => ({ ...line, differs: !always.has(line.label) && line.left !== line.right }));
}
