/**
 * Dead letters: deliveries that ended failed, a first-class list an operator narrows by
 * endpoint, mailbox, when they failed, how (error kind) and what the receiver answered
 * (HTTP status), and by their events as the event history narrows them (status, type,
 * when received, tracking number, payload fields: the same rules as events/eventSearch.ts,
 * so the events view's filter becomes a replay of its failed deliveries), then replays as
 * one operation (replayService.ts). The `dead_letter`
 * table is kept by the lifecycle statements (deliveries/sql/lifecycleSql.ts), so these
 * reads never scan delivery history. Newest delivery first; the cursor is a delivery id.
 */
import { z } from 'zod';
import { authorize, type Actor } from '../auth/roles.ts';
import type { Prisma } from '../db/prisma.ts';
import type { Queryable } from '../db/queryable.ts';
import { parseInput } from '../errors.ts';
import { eventSearchSchema, likePattern, payloadCondition } from '../events/eventSearch.ts';
import { firstIdAt, prefixRange } from '../events/trackingNumberRange.ts';
import type { Runtime } from '../runtime.ts';

/** Values one list filter may hold. */
const MAX_FILTER_VALUES = 20;
/** Events one filter may name: a dashboard selection's worth. */
const MAX_TRACKING_NUMBERS = 1000;
const eventFields = eventSearchSchema.shape;

/** A moment PostgreSQL can compare with (years 1970 to 9999), or a clear refusal. */
const moment = z.coerce
  .date({ error: 'must be an ISO 8601 date-time' })
  .min(new Date('1970-01-01T00:00:00Z'), 'must be in 1970 or later')
  .max(new Date('9999-12-31T23:59:59Z'), 'must be in 9999 or earlier');

export const deadLetterFilterSchema = z
  .object({
    endpointId: z.uuid('must be an endpoint id (a UUID)').optional(),
    mailboxId: z.uuid('must be a mailbox id (a UUID)').optional(),
    /** Failed at or after this moment. */
    failedSince: moment.optional(),
    /** Failed before this moment. */
    failedUntil: moment.optional(),
    /** The last attempt's error kind: timeout, connection_refused, http_status… */
    errorKinds: z
      .array(z.string().regex(/^[a-z_]{1,40}$/, 'must be an error kind such as timeout or http_status'))
      .max(MAX_FILTER_VALUES, `at most ${MAX_FILTER_VALUES} error kinds`)
      .transform((kinds) => [...new Set(kinds)])
      .optional(),
    /** The last attempt's HTTP status. */
    statusCodes: z
      .array(z.int().min(100).max(599))
      .max(MAX_FILTER_VALUES, `at most ${MAX_FILTER_VALUES} status codes`)
      .transform((codes) => [...new Set(codes)])
      .optional(),
    /** Only deliveries of events with one of these statuses. */
    eventStatuses: eventFields.status,
    /** Only deliveries of events whose type matches one of these names or `*` patterns. */
    eventTypes: eventFields.eventTypes,
    /** Only deliveries of events accepted at or after this moment. */
    receivedSince: moment.optional(),
    /** Only deliveries of events accepted before this moment. */
    receivedUntil: moment.optional(),
    /** Only deliveries of events whose tracking number starts with these hexadecimal digits. */
    trackingNumberPrefix: eventFields.trackingNumberPrefix,
    /** Only deliveries of these events. */
    trackingNumbers: z
      .array(z.uuid('must be a tracking number (a UUID)'))
      .max(MAX_TRACKING_NUMBERS, `at most ${MAX_TRACKING_NUMBERS} tracking numbers`)
      .transform((ids) => [...new Set(ids)])
      .optional(),
    /** Only deliveries of JSON events whose fields equal these values (all of them). */
    payload: eventFields.payload,
  })
  .refine((filter) => !filter.failedSince || !filter.failedUntil || filter.failedSince < filter.failedUntil, {
    message: 'must be after failedSince',
    path: ['failedUntil'],
  })
  .refine((filter) => !filter.receivedSince || !filter.receivedUntil || filter.receivedSince < filter.receivedUntil, {
    message: 'must be after receivedSince',
    path: ['receivedUntil'],
  });

export type DeadLetterFilterInput = z.input<typeof deadLetterFilterSchema>;
export type DeadLetterFilter = z.output<typeof deadLetterFilterSchema>;

export function parseDeadLetterFilter(input: DeadLetterFilterInput): DeadLetterFilter {
  return parseInput(deadLetterFilterSchema, input);
}

/**
 * The filter as SQL conditions on `dead_letter l` joined to `delivery d`, with its values
 * appended to `values`.
 */
export function deadLetterConditions(filter: DeadLetterFilter, values: unknown[]): string[] {
  const param = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  const where: string[] = [];
  if (filter.endpointId) where.push(`l.endpoint_id = ${param(filter.endpointId)}::uuid`);
  if (filter.mailboxId) where.push(`l.mailbox_id = ${param(filter.mailboxId)}::uuid`);
  if (filter.failedSince) where.push(`l.failed_at >= ${param(filter.failedSince)}`);
  if (filter.failedUntil) where.push(`l.failed_at < ${param(filter.failedUntil)}`);
  if (filter.errorKinds?.length) where.push(`d.last_error_kind = any(${param(filter.errorKinds)}::text[])`);
  if (filter.statusCodes?.length) where.push(`d.last_status_code = any(${param(filter.statusCodes)}::int[])`);
  // The event's tracking number holds when it was accepted: ranges of it need no join.
  if (filter.trackingNumbers) where.push(`d.event_id = any(${param(filter.trackingNumbers)}::uuid[])`);
  if (filter.receivedSince) where.push(`d.event_id >= ${param(firstIdAt(filter.receivedSince))}::uuid`);
  if (filter.receivedUntil) where.push(`d.event_id < ${param(firstIdAt(filter.receivedUntil))}::uuid`);
  if (filter.trackingNumberPrefix) {
    const range = prefixRange(filter.trackingNumberPrefix)!;
    where.push(`d.event_id between ${param(range.from)}::uuid and ${param(range.to)}::uuid`);
  }
  const onEvent: string[] = [];
  if (filter.eventStatuses?.length) onEvent.push(`e.status = any(${param(filter.eventStatuses)}::event_status[])`);
  if (filter.eventTypes?.length)
    onEvent.push(`e.event_type like any(${param(filter.eventTypes.map(likePattern))}::text[])`);
  const payload = payloadCondition('e.id', filter.payload, param);
  if (payload) onEvent.push(payload);
  if (onEvent.length) where.push(`exists (select 1 from event e where e.id = d.event_id and ${onEvent.join(' and ')})`);
  return where;
}

const whereClause = (conditions: string[]) => (conditions.length ? `where ${conditions.join(' and ')}` : '');

/** How many dead letters match: the preview of a replay. */
export async function countDeadLetters(db: Queryable, filter: DeadLetterFilter): Promise<number> {
  const values: unknown[] = [];
  const where = deadLetterConditions(filter, values);
  const { rows } = await db.query<{ count: string }>(
    `select count(*) from dead_letter l join delivery d on d.id = l.delivery_id ${whereClause(where)}`,
    values,
  );
  return Number(rows[0]!.count);
}

export interface DeadLetterPage {
  /** Older than this delivery id (list order is newest first). */
  after?: string;
  /** Newer than this delivery id. */
  before?: string;
  limit: number;
  /** From the oldest end (for `last`): rows come back oldest first. */
  inverted: boolean;
}

async function searchDeadLetterIds(db: Queryable, filter: DeadLetterFilter, page: DeadLetterPage): Promise<string[]> {
  const values: unknown[] = [];
  const where = deadLetterConditions(filter, values);
  if (page.after) where.push(`l.delivery_id < $${values.push(page.after)}::uuid`);
  if (page.before) where.push(`l.delivery_id > $${values.push(page.before)}::uuid`);
  const { rows } = await db.query<{ id: string }>(
    `select l.delivery_id as id from dead_letter l join delivery d on d.id = l.delivery_id ${whereClause(where)}
      order by l.delivery_id ${page.inverted ? 'asc' : 'desc'} limit $${values.push(page.limit)}`,
    values,
  );
  return rows.map((row) => row.id);
}

type DeliverySelection = Pick<Prisma.DeliveryFindManyArgs, 'select' | 'include' | 'omit'>;

/** A page of dead letters as deliveries, loaded with what the caller selects, in list order. */
export async function findDeadLetters<A extends DeliverySelection>(
  rt: Pick<Runtime, 'reads'>,
  actor: Actor | null,
  input: DeadLetterFilterInput,
  page: DeadLetterPage,
  selection: A,
): Promise<Prisma.DeliveryGetPayload<A>[]> {
  authorize(actor, 'viewer');
  const ids = await searchDeadLetterIds(rt.reads.pool, parseDeadLetterFilter(input), page);
  if (ids.length === 0) return [];
  const withId = selection.select ? { ...selection, select: { ...selection.select, id: true } } : selection;
  const rows = await rt.reads.prisma.delivery.findMany({ ...withId, where: { id: { in: ids } } });
  const byId = new Map(rows.map((row) => [row.id, row as unknown as Prisma.DeliveryGetPayload<A>]));
  return ids.map((id) => byId.get(id)).filter((row) => row !== undefined);
}
