/**
 * The replay dialog's fields (as typed: local date-times, a list of status codes) and the
 * DeadLetterFilter they become. Pure, so the rules are tested without a browser; the
 * server checks the filter again and its message is shown as it comes.
 */
import type { DeadLetterFilter } from '../generated/graphql.ts';

export interface ReplayFormValues {
  /** `<input type="datetime-local">` values, in the browser's time zone; empty: no bound. */
  failedSince: string;
  failedUntil: string;
  /** Error kinds to take (timeout, http_status…); none: every kind. */
  errorKinds: string[];
  /** HTTP statuses, comma- or space-separated; empty: every status. */
  statusCodes: string;
}

export const emptyReplayForm: ReplayFormValues = { failedSince: '', failedUntil: '', errorKinds: [], statusCodes: '' };

export type ReplayFilterResult =
  { ok: true; filter: DeadLetterFilter } | { ok: false; errors: Partial<Record<keyof ReplayFormValues, string>> };

const MAX_LIST = 20;

const moment = (value: string) => {
  if (value.trim() === '') return null;
  const at = new Date(value);
  return Number.isNaN(at.getTime()) ? undefined : at;
};

export function replayFilterOf(values: ReplayFormValues, scope: { endpointId: string }): ReplayFilterResult {
  const errors: Partial<Record<keyof ReplayFormValues, string>> = {};
  const since = moment(values.failedSince);
  const until = moment(values.failedUntil);
  if (since === undefined) errors.failedSince = 'A date and time.';
  if (until === undefined) errors.failedUntil = 'A date and time.';
  if (since && until && since >= until) errors.failedUntil = 'After “failed since”.';

  const codes = values.statusCodes
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((code) => (/^\d{3}$/.test(code) ? Number(code) : Number.NaN));
  if (codes.some((code) => !(code >= 100 && code <= 599))) errors.statusCodes = 'HTTP statuses, 100 to 599.';
  else if (codes.length > MAX_LIST) errors.statusCodes = `At most ${MAX_LIST} statuses.`;
  if (values.errorKinds.length > MAX_LIST) errors.errorKinds = `At most ${MAX_LIST} kinds.`;
  if (Object.keys(errors).length > 0) return { ok: false, errors };

  const filter: DeadLetterFilter = { endpointId: scope.endpointId };
  if (since) filter.failedSince = since.toISOString();
  if (until) filter.failedUntil = until.toISOString();
  if (values.errorKinds.length > 0) filter.errorKinds = [...values.errorKinds].sort();
  if (codes.length > 0) filter.statusCodes = [...new Set(codes)].sort((a, b) => a - b);
  return { ok: true, filter };
}

/** "failed since 14:00 with HTTP 503": what a filter takes, for the dialog's preview line. */
export function describeReplayFilter(filter: DeadLetterFilter, format: (iso: string) => string): string {
  const parts: string[] = [];
  if (filter.failedSince && filter.failedUntil)
    parts.push(`that failed between ${format(filter.failedSince)} and ${format(filter.failedUntil)}`);
  else if (filter.failedSince) parts.push(`that failed since ${format(filter.failedSince)}`);
  else if (filter.failedUntil) parts.push(`that failed before ${format(filter.failedUntil)}`);
  if (filter.errorKinds?.length) parts.push(`with error ${filter.errorKinds.join(' or ')}`);
  if (filter.statusCodes?.length) parts.push(`answered HTTP ${filter.statusCodes.join(' or ')}`);
  return parts.length > 0 ? parts.join(', ') : 'whenever and however they failed';
}
