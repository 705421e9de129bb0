/** Event: one accepted POST to a mailbox, with its history queries. */
import { eraseEvent } from '../../events/eraseEvent.ts';
import { isUtf8 } from 'node:buffer';
import { formatPrismaCursor, parsePrismaCursor, queryFromInfo } from '@pothos/plugin-prisma';
import { resolveCursorConnection, type ResolveCursorConnectionArgs } from '@pothos/plugin-relay';
import { findEvents, getEvent } from '../../events/eventQueries.ts';
import { AppError } from '../../errors.ts';
import { isUuid } from '../../ids.ts';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../paging.ts';
import { BODY_BYTES_PER_ANSWER, spendBodyBytes } from '../bodyBudget.ts';
import { builder } from '../builder.ts';
import { BODY_COST } from '../queryCost.ts';
import { DeliveryStatus } from './delivery.ts';
import { EventFilter } from './eventFilter.ts';
import { EventStatus } from './eventStatus.ts';

const BodyEncoding = builder.enumType('BodyEncoding', {
  description: 'How a body is given as a string.',
  values: {
    utf8: { description: 'As text: the bytes were valid UTF-8.' },
    base64: { description: 'As base64: the bytes were not UTF-8 text.' },
  },
});

const bodyBuffer = (body: Uint8Array) => Buffer.from(body.buffer, body.byteOffset, body.byteLength);

// Select mode: bodies (up to HOOKPOST_MAX_BODY_BYTES each) are read only when asked for.
export const Event = builder.prismaObject('Event', {
  description:
    'One accepted POST to `/webhooks/{mailboxId}`, stored byte for byte before it was acknowledged. Its id is the tracking number.',
  select: { id: true },
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The tracking number (a time-ordered UUID); the same as `trackingNumber`.' }),
    trackingNumber: t.exposeID('id', {
      description: 'The tracking number the producer got back: a UUIDv7, so it also tells when the event was accepted.',
    }),
    mailbox: t.relation('mailbox', { description: 'The mailbox it was sent to.' }),
    eventType: t.exposeString('eventType', {
      nullable: true,
      description: "Its type, from `x-event-type` or the body's `event`/`type` field; null when it has none.",
    }),
    contentType: t.exposeString('contentType', {
      description: 'The Content-Type it was sent (and is delivered) with.',
    }),
    body: t.string({
      description:
        'The body, byte for byte: as text, or as base64 when it is not UTF-8 (see `bodyEncoding`). ' +
        `Costs ${BODY_COST} (a body may be up to 1 MiB); one answer carries at most ${BODY_BYTES_PER_ANSWER / (1024 * 1024)} MiB of bodies, ` +
        'past which the operation is refused (`query_too_complex`).',
      select: { body: true },
      complexity: BODY_COST,
      resolve: (event, _args, context, info) => {
        const body = bodyBuffer(event.body);
        spendBodyBytes(context, info, body.byteLength);
        return isUtf8(body) ? body.toString('utf8') : body.toString('base64');
      },
    }),
    bodyEncoding: t.field({
      type: BodyEncoding,
      description: `How \`body\` is given. Costs ${BODY_COST}, as \`body\`: telling UTF-8 from binary reads the whole body.`,
      select: { body: true },
      complexity: BODY_COST,
      resolve: (event) => (isUtf8(bodyBuffer(event.body)) ? 'utf8' : 'base64'),
    }),
    receivedAt: t.expose('receivedAt', { type: 'DateTime', description: 'When it was stored.' }),
    erasedAt: t.expose('erasedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it was erased (`eraseEvent`): its body and captured responses are gone, this record stays.',
    }),
    orderingKey: t.exposeString('orderingKey', {
      nullable: true,
      description:
        'The `x-ordering-key` it was sent with: endpoints ordered by key deliver the events of one key one at a time, in arrival order.',
    }),
    status: t.expose('status', { type: EventStatus, description: 'Where it stands, derived from its deliveries.' }),
    deliveryCount: t.exposeInt('deliveryCount', {
      description: 'Its deliveries: one per endpoint that accepted its type, and one more per resend.',
    }),
    pendingCount: t.exposeInt('pendingCount', { description: 'Deliveries not finished yet.' }),
    failedCount: t.exposeInt('failedCount', { description: 'Deliveries that failed.' }),
    cancelledCount: t.exposeInt('cancelledCount', { description: 'Deliveries that were cancelled.' }),
    attemptCount: t.exposeInt('attemptCount', { description: 'Attempts made, over all its deliveries.' }),
    lastAttemptAt: t.expose('lastAttemptAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the latest attempt started.',
    }),
    deliveries: t.relatedConnection('deliveries', {
      description: 'Its deliveries (one per endpoint, and one more per resend), in the order they were made.',
      cursor: 'id',
      totalCount: true,
      args: { status: t.arg({ type: [DeliveryStatus], description: 'Only deliveries with one of these statuses.' }) },
      query: (args) => ({ where: args.status ? { status: { in: args.status } } : {}, orderBy: { id: 'asc' } }),
    }),
  }),
});

function cursorId(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  let id: unknown;
  try {
    id = parsePrismaCursor(cursor);
  } catch {
    id = null;
  }
  if (typeof id !== 'string' || !isUuid(id))
    throw new AppError('validation_failed', `"${cursor}" is not a cursor of this list.`);
  return id;
}

builder.mutationField('eraseEvent', (t) =>
  t.prismaField({
    type: 'Event',
    description:
      'Erases an event: its body and the response bodies and headers its attempts captured are gone for good; its waiting and failed deliveries are cancelled; the event stays as a tombstone with `erasedAt`. Admins only. Refused (`conflict`) while an attempt is in flight.',
    args: { trackingNumber: t.arg.id({ required: true, description: 'The tracking number.' }) },
    resolve: async (query, _root, args, ctx) => {
      const erased = await eraseEvent(ctx.rt, ctx.actor, args.trackingNumber);
      return ctx.rt.prisma.event.findUniqueOrThrow({ ...query, where: { id: erased.trackingNumber } });
    },
  }),
);

builder.queryFields((t) => ({
  event: t.prismaField({
    type: 'Event',
    nullable: true,
    description: 'One event by its tracking number, with its deliveries and their attempts; null when there is none.',
    args: { trackingNumber: t.arg.id({ required: true, description: 'The tracking number.' }) },
    resolve: (query, _root, args, ctx) => getEvent(ctx.rt, ctx.actor, args.trackingNumber, query),
  }),
  events: t.connection({
    type: Event,
    description: `The event history, newest first, with filters. At most ${MAX_PAGE_SIZE} per page (default ${DEFAULT_PAGE_SIZE}).`,
    args: { filter: t.arg({ type: EventFilter, description: 'What to narrow the history to.' }) },
    resolve: (_root, args, ctx, info) =>
      resolveCursorConnection(
        {
          args,
          toCursor: (event) => formatPrismaCursor(event, 'id'),
          defaultSize: DEFAULT_PAGE_SIZE,
          maxSize: MAX_PAGE_SIZE,
        },
        ({ before, after, limit, inverted }: ResolveCursorConnectionArgs) =>
          findEvents(
            ctx.rt,
            ctx.actor,
            Object.fromEntries(Object.entries(args.filter ?? {}).filter(([, value]) => value !== null)),
            { before: cursorId(before), after: cursorId(after), limit, inverted },
            // One query for the page and whatever it asks for below (deliveries, attempts…).
            queryFromInfo({ context: ctx, info, path: ['edges', 'node'], select: { id: true } }),
          ),
      ),
  }),
}));
