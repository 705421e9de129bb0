/**
 * The events view as a bulk erasure: its filter, less the mailbox (the erasure's own),
 * becomes the erasure filter, so the server erases every event the view matches, loaded
 * on screen or not. A view that narrows by nothing but the mailbox takes every event of
 * it, which the dialog says and confirms as such. Pure, so tested without a browser.
 */
import type { ErasureFilter, EventFilter, EventStatus } from '../generated/graphql.ts';
import type { ParsedSearch } from './searchQuery.ts';

const everyStatus: EventStatus[] = ['queued', 'delivering', 'delivered', 'failed', 'cancelled', 'unrouted'];

export function erasureFilterOfView(filter: EventFilter): ErasureFilter {
  const erasure: ErasureFilter = {};
  if (filter.status?.length) erasure.status = filter.status;
  if (filter.eventTypes?.length) erasure.eventTypes = filter.eventTypes;
  if (filter.receivedSince) erasure.receivedSince = filter.receivedSince;
  if (filter.receivedUntil) erasure.receivedUntil = filter.receivedUntil;
  if (filter.payload?.length) erasure.payload = filter.payload;
  if (filter.endpointId) erasure.endpointId = filter.endpointId;
  if (filter.deliveryStatusCode != null) erasure.deliveryStatusCode = filter.deliveryStatusCode;
  if (filter.deliveryErrorKind) erasure.deliveryErrorKind = filter.deliveryErrorKind;
  if (filter.trackingNumberPrefix) erasure.trackingNumberPrefix = filter.trackingNumberPrefix;
  return erasure;
}

/**
 * Why the view cannot be erased as it stands, or null. A search read only in part (a word
 * not understood, fields or words past the bounds) leaves conditions out of the view's
 * filter, so the view shows more than was asked for, which a list may; an erasure by it
 * would take the other events too, for good.
 */
export function erasureBlockOfView(filter: EventFilter, search: Pick<ParsedSearch, 'problems'>): string | null {
  if (!filter.mailboxId) return 'Choose a mailbox in the filters first: an erasure takes one mailbox’s events.';
  if (search.problems.length > 0)
    return 'Part of the search is not used (see under the search box): correct it first, so the erasure takes only what you meant.';
  return null;
}

/** Whether the filter leaves no event of the mailbox out (the server's rule: erasures/erasureFilter.ts). */
export function takesEveryEvent(filter: ErasureFilter): boolean {
  const types = filter.eventTypes ?? [];
  const statuses = filter.status ?? [];
  const typesNarrow = types.length > 0 && !types.some((pattern) => /^\*+$/.test(pattern));
  const statusesNarrow = statuses.length > 0 && everyStatus.some((status) => !statuses.includes(status));
  return !(
    typesNarrow ||
    statusesNarrow ||
    filter.payload?.length ||
    filter.receivedSince ||
    filter.receivedUntil ||
    filter.endpointId ||
    filter.deliveryStatusCode != null ||
    filter.deliveryErrorKind ||
    filter.trackingNumberPrefix
  );
}

/** The conditions in words, for the confirmation: "whose data.customer_id is "C-42", of type order.*". */
export function describeErasureFilter(filter: ErasureFilter): string[] {
  const parts: string[] = [];
  for (const match of filter.payload ?? []) parts.push(`whose ${match.path} is “${match.equals}”`);
  if (filter.eventTypes?.length) parts.push(`of type ${filter.eventTypes.join(' or ')}`);
  if (filter.status?.length) parts.push(`with status ${filter.status.join(' or ')}`);
  if (filter.receivedSince) parts.push(`received since ${new Date(filter.receivedSince).toLocaleString('en')}`);
  if (filter.receivedUntil) parts.push(`received before ${new Date(filter.receivedUntil).toLocaleString('en')}`);
  if (filter.endpointId) parts.push('with a delivery to the endpoint chosen');
  if (filter.deliveryStatusCode != null) parts.push(`whose latest attempt got HTTP ${filter.deliveryStatusCode}`);
  if (filter.deliveryErrorKind) parts.push(`whose latest attempt failed with ${filter.deliveryErrorKind}`);
  if (filter.trackingNumberPrefix) parts.push(`whose tracking number starts with ${filter.trackingNumberPrefix}`);
  return parts;
}
