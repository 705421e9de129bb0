/**
 * The audit log's filters live in the URL (`?action=endpoint.rotate_secret&actor=…&target=endpoint&range=7d`),
 * so a view can be shared. Pure: the query string to the GraphQL filter and back.
 */
import type { AuditFilter } from '../generated/graphql.ts';
import { auditRanges, type AuditRange } from './auditWording.ts';

export interface AuditFilterState {
  action: string;
  /** An access token id. */
  actor: string;
  targetType: string;
  /** A preset range back from now, or '' for all time or a custom since/until. */
  range: AuditRange | '';
  since: string;
  until: string;
}

const keys = { action: 'action', actor: 'actor', targetType: 'target', range: 'range', since: 'since', until: 'until' };

export function auditFilterFromParams(params: URLSearchParams): AuditFilterState {
  const range = params.get('range') ?? '';
  return {
    action: params.get(keys.action) ?? '',
    actor: params.get(keys.actor) ?? '',
    targetType: params.get(keys.targetType) ?? '',
    range: range in auditRanges ? (range as AuditRange) : '',
    since: params.get(keys.since) ?? '',
    until: params.get(keys.until) ?? '',
  };
}

/** The filter written into `params` (a new copy); a change of filter goes back to the first page. */
export function auditFilterToParams(state: AuditFilterState, params: URLSearchParams): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const [field, key] of Object.entries(keys)) {
    const value = state[field as keyof AuditFilterState];
    if (value) next.set(key, value);
    else next.delete(key);
  }
  next.delete('after');
  next.delete('before');
  return next;
}

export const isAuditFiltered = (state: AuditFilterState) => Object.values(state).some(Boolean);

/** The GraphQL filter, with a preset range counted back from `now`. */
export function auditFilterVariables(state: AuditFilterState, now: number): AuditFilter {
  const since = state.range ? new Date(now - auditRanges[state.range]).toISOString() : state.since;
  return {
    ...(state.action ? { action: state.action } : {}),
    ...(state.actor ? { actorTokenId: state.actor } : {}),
    ...(state.targetType ? { targetType: state.targetType } : {}),
    ...(since ? { since } : {}),
    ...(!state.range && state.until ? { until: state.until } : {}),
  };
}
