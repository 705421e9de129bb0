/**
 * The events view as a replay: its filter (or the rows picked in it) becomes the
 * dead-letter filter of one server-side replay, which takes every failed delivery of the
 * events it covers, loaded on screen or not. The view's delivery-level filters (endpoint,
 * HTTP status, error kind) narrow to those deliveries, as an operator filtering by them
 * means. Pure, so the mapping is tested without a browser.
 */
import type { DeadLetterFilter, EventFilter } from '../generated/graphql.ts';

/** Events one replay may name (the server's bound): past it, replay the whole view instead. */
export const MAX_PICKED = 1000;

export function replayFilterOfView(filter: EventFilter, picked?: readonly string[]): DeadLetterFilter {
  const replay: DeadLetterFilter = {};
  if (filter.mailboxId) replay.mailboxId = filter.mailboxId;
  if (filter.endpointId) replay.endpointId = filter.endpointId;
  if (filter.status?.length) replay.eventStatuses = filter.status;
  if (filter.eventTypes?.length) replay.eventTypes = filter.eventTypes;
  if (filter.receivedSince) replay.receivedSince = filter.receivedSince;
  if (filter.receivedUntil) replay.receivedUntil = filter.receivedUntil;
  if (filter.trackingNumberPrefix) replay.trackingNumberPrefix = filter.trackingNumberPrefix;
  if (filter.payload?.length) replay.payload = filter.payload;
  if (filter.deliveryStatusCode != null) replay.statusCodes = [filter.deliveryStatusCode];
  if (filter.deliveryErrorKind) replay.errorKinds = [filter.deliveryErrorKind];
  if (picked) replay.trackingNumbers = [...picked];
  return replay;
}

/** "of the 3 events you picked" / "of every event in this view" / "of every event", for the dialog. */
export function describeReplayScope(filter: DeadLetterFilter): string {
  if (filter.trackingNumbers) {
    const n = filter.trackingNumbers.length;
    return n === 1 ? 'of the event you picked' : `of the ${n.toLocaleString('en')} events you picked`;
  }
  const narrowed = Object.keys(filter).filter((key) => !['endpointId', 'statusCodes', 'errorKinds'].includes(key));
  const parts = [narrowed.length > 0 ? 'of every event this view matches, loaded or not' : 'of every event'];
  if (filter.endpointId) parts.push('to the endpoint chosen');
  if (filter.statusCodes?.length) parts.push(`whose last attempt got HTTP ${filter.statusCodes.join(' or ')}`);
  if (filter.errorKinds?.length) parts.push(`that failed with ${filter.errorKinds.join(' or ')}`);
  return parts.join(', ');
}
