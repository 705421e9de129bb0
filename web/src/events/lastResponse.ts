/** The HTTP status of an event's most recent attempt, over its deliveries; null when none answered. */
import type { EventRowFieldsFragment } from '../generated/graphql.ts';

export function lastResponseCode(event: Pick<EventRowFieldsFragment, 'deliveries'>): number | null {
  let latest: { at: string; code: number | null } | null = null;
  for (const { node } of event.deliveries.edges) {
    if (node.lastAttemptAt && (!latest || node.lastAttemptAt > latest.at))
      latest = { at: node.lastAttemptAt, code: node.lastStatusCode ?? null };
  }
  return latest?.code ?? null;
}

export const codeClass = (code: number | null | undefined) =>
  code === null || code === undefined ? 'code code-none' : code >= 200 && code < 300 ? 'code code-ok' : 'code code-bad';
