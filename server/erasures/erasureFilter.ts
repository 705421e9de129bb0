/**
 * What a bulk erasure takes: the events of one mailbox that the events history's filter
 * (events/eventSearch.ts: payload fields, event types, statuses, time range, endpoint,
 * a delivery's HTTP status or error kind, tracking-number prefix) matches, received
 * before it started. Pure rules, so they are tested without a database.
 *
 * A filter that cannot leave any event of the mailbox out (no condition, a `*` type, every
 * status) is refused unless the caller says `everything`: erasing a whole mailbox's
 * history must never be what a forgotten field or an empty form does.
 */
import { z } from 'zod';
import { AppError, invalidInput } from '../errors.ts';
import { eventSearchSchema, type EventFilter } from '../events/eventSearch.ts';
import { spellsInexactInteger } from '../events/payloadTerms.ts';
import { eventStatuses } from '../events/statuses.ts';

const eventFields = eventSearchSchema.shape;

const isoDateTime = z.iso.datetime({ offset: true });

/**
 * A moment PostgreSQL can compare with: a date, or an ISO 8601 date-time with its offset
 * (REST, and a stored filter). Nothing else is read as one: JavaScript reads "Dec 3" as
 * 3 December 2001 and a time without an offset as the server's, and an erasure since
 * either would take more than was meant, for good.
 */
const moment = z.preprocess(
  (value) => (typeof value === 'string' && isoDateTime.safeParse(value).success ? new Date(value) : value),
  z
    .date({ error: 'must be an ISO 8601 date-time with its offset, like 2026-12-01T10:00:00Z' })
    .min(new Date('1970-01-01T00:00:00Z'), 'must be in 1970 or later')
    .max(new Date('9999-12-31T23:59:59Z'), 'must be in 9999 or earlier'),
);

export const erasureFilterSchema = z
  .object({
    status: eventFields.status,
    eventTypes: eventFields.eventTypes,
    receivedSince: moment.optional(),
    receivedUntil: moment.optional(),
    payload: eventFields.payload,
    endpointId: eventFields.endpointId,
    deliveryStatusCode: eventFields.deliveryStatusCode,
    deliveryErrorKind: eventFields.deliveryErrorKind,
    trackingNumberPrefix: eventFields.trackingNumberPrefix,
  })
  // A misspelt field must not be dropped: it would widen the erasure.
  .strict()
  .superRefine((filter, ctx) =>
    filter.payload?.forEach((match, index) => {
      if (spellsInexactInteger(match.equals))
        ctx.addIssue({
          code: 'custom',
          path: ['payload', index, 'equals'],
          message:
            'is a number past 2^53, which events keep rounded, so it would match neighbouring numbers too: erase by another field, or event by event',
        });
    }),
  )
  .refine((filter) => !filter.receivedSince || !filter.receivedUntil || filter.receivedSince < filter.receivedUntil, {
    message: 'must be after receivedSince',
    path: ['receivedUntil'],
  });

export type ErasureFilterInput = z.input<typeof erasureFilterSchema>;
export type ErasureFilter = z.output<typeof erasureFilterSchema>;

/** Whether every event of a mailbox would match: no condition that can leave one out. */
export function matchesEverything(filter: ErasureFilter): boolean {
  const typesNarrow = !!filter.eventTypes?.length && !filter.eventTypes.some((pattern) => /^\*+$/.test(pattern));
  const statusesNarrow = !!filter.status?.length && eventStatuses.some((status) => !filter.status!.includes(status));
  return !(
    typesNarrow ||
    statusesNarrow ||
    filter.payload?.length ||
    filter.receivedSince ||
    filter.receivedUntil ||
    filter.endpointId ||
    filter.deliveryStatusCode !== undefined ||
    filter.deliveryErrorKind ||
    filter.trackingNumberPrefix
  );
}

export interface ErasureRequest {
  filter?: ErasureFilterInput;
  /** Confirms a filter that matches every event of the mailbox. */
  everything?: boolean;
  /** The count the caller confirmed: more matching now is refused (the view changed since). */
  expectedCount?: number;
}

/** The request checked: the filter, refused when it takes everything unconfirmed. */
export function parseErasureRequest(request: ErasureRequest): ErasureFilter {
  const parsed = erasureFilterSchema.safeParse(request.filter ?? {});
  if (!parsed.success)
    throw invalidInput(parsed.error.issues.map((issue) => ({ path: issue.path.map(String), message: issue.message })));
  const filter = parsed.data;
  const { expectedCount } = request;
  if (expectedCount !== undefined && (!Number.isInteger(expectedCount) || expectedCount < 0))
    throw invalidInput([{ path: ['expectedCount'], message: 'must be a whole number, 0 or more' }]);
  if (matchesEverything(filter) && request.everything !== true)
    throw invalidInput([
      {
        path: ['everything'],
        message:
          'the filter matches every event of the mailbox: name a condition (a payload field, event types, a time range…), or set everything to true to erase them all',
      },
    ]);
  return filter;
}

/** The filter to store: only what arrived before the erasure started, so it ends however fast events arrive. */
export function boundToStart(filter: ErasureFilter, startedAt: Date): ErasureFilter {
  if (filter.receivedSince && filter.receivedSince >= startedAt)
    throw invalidInput([
      { path: ['receivedSince'], message: 'must be in the past (an erasure takes what arrived before it starts)' },
    ]);
  return {
    ...filter,
    receivedUntil: filter.receivedUntil && filter.receivedUntil < startedAt ? filter.receivedUntil : startedAt,
  };
}

/** Refuses a start that would take more than the caller confirmed. */
export function checkExpectedCount(matched: number, expectedCount: number | undefined): void {
  if (expectedCount !== undefined && matched > expectedCount)
    throw new AppError(
      'conflict',
      `${matched} events match now, more than the ${expectedCount} confirmed: count again and confirm the new number.`,
    );
}

/** The filter as the events history's search of one mailbox (eventSearch.ts conditions). */
export function asEventFilter(mailboxId: string, filter: ErasureFilter): Omit<EventFilter, 'status'> {
  const { status: _status, ...rest } = filter;
  return { ...rest, mailboxId };
}
