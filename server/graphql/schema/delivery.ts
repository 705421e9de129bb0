/** Delivery: one event bound for one endpoint, with its attempts. */
import { shownStatusReason, waitingInLine } from '../../events/waitingInLine.ts';
import { getDelivery } from '../../events/eventQueries.ts';
import type { deliveryStatuses } from '../../events/statuses.ts';
import { builder } from '../builder.ts';
import { Attempt } from './attempt.ts';

export const DeliveryStatus = builder.enumType('DeliveryStatus', {
  description: 'Where a delivery stands.',
  values: {
    queued: { description: 'Waiting for its next attempt; a job will run it.' },
    held: {
      description:
        'Waiting without an attempt because its endpoint cannot take it now (circuit open, paused; see `statusReason`); released when it can.',
    },
    delivering: { description: 'An attempt is in flight.' },
    delivered: { description: 'The endpoint answered 2xx.' },
    failed: { description: 'Every attempt of its retry policy failed; it can be retried by hand.' },
    cancelled: {
      description: 'Stopped without being delivered (endpoint disabled or deleted, or cancelled by an operator).',
    },
  } satisfies Record<(typeof deliveryStatuses)[number], { description: string }>,
});

const attemptKey = (deliveryId: string, number: number) => `${deliveryId}/${number}`;
const parseAttemptKey = (key: string) => {
  const [deliveryId, number] = key.split('/');
  return { deliveryId: deliveryId!, number: Number(number) };
};

export const Delivery = builder.prismaObject('Delivery', {
  description: 'One event bound for one endpoint. Every HTTP request it made is an attempt.',
  fields: (t) => ({
    id: t.exposeID('id', {
      description: 'The delivery id (a UUID); receivers see it as the `webhook-id` header, the same on every attempt.',
    }),
    event: t.relation('event', { description: 'The event delivered.' }),
    endpoint: t.relation('endpoint', { description: 'The endpoint it is bound for.' }),
    status: t.expose('status', { type: DeliveryStatus, description: 'Where the delivery stands.' }),
    attemptCount: t.exposeInt('attemptCount', { description: 'Attempts made so far.' }),
    lastAttemptAt: t.expose('lastAttemptAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the latest attempt started.',
    }),
    lastStatusCode: t.exposeInt('lastStatusCode', {
      nullable: true,
      description: 'The HTTP status of the latest attempt, if it got a response.',
    }),
    statusReason: t.loadable({
      type: 'String',
      nullable: true,
      description:
        'Why the delivery stands where it does, when its status alone does not say (a job that gave up, waiting behind an earlier delivery of its ordering key…).',
      // The delivery as the key: only the keyed, queued ones of a page without a reason of
      // their own are looked up, in one query for the page (events/waitingInLine.ts).
      resolve: (delivery) =>
        JSON.stringify([delivery.id, delivery.status, delivery.orderingKey, delivery.statusReason]),
      load: async (keys: string[], ctx) => {
        const deliveries = keys.map((key) => {
          const [id, status, orderingKey, statusReason] = JSON.parse(key) as [
            string,
            string,
            string | null,
            string | null,
          ];
          return { id, status, orderingKey, statusReason };
        });
        const waiting = await waitingInLine(
          ctx.rt.reads.pool,
          deliveries.filter((delivery) => delivery.statusReason === null),
        );
        return deliveries.map((delivery) => shownStatusReason(delivery, waiting));
      },
    }),
    orderingKey: t.exposeString('orderingKey', {
      nullable: true,
      description:
        'The ordering key it is delivered in line with (its endpoint is ordered by key): one at a time, in arrival order. Null: no order.',
    }),
    nextAttemptAt: t.expose('nextAttemptAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the next scheduled attempt is due, while one is.',
    }),
    createdAt: t.expose('createdAt', {
      type: 'DateTime',
      description: 'When the delivery was created (with its event).',
    }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When its status last changed.' }),
    attempts: t.relatedConnection('attempts', {
      description: 'Its attempts, first one first.',
      cursor: 'id',
      totalCount: true,
      query: { orderBy: { number: 'asc' } },
    }),
    lastAttempt: t.loadable({
      type: Attempt,
      nullable: true,
      description: 'The latest attempt, if any.',
      // Its number is the delivery's attempt count, so the last attempts of a whole page are
      // one query on the (delivery, number) key instead of every attempt of every delivery.
      load: (keys: string[], ctx) => ctx.rt.reads.prisma.attempt.findMany({ where: { OR: keys.map(parseAttemptKey) } }),
      sort: (attempt) => attemptKey(attempt.deliveryId, attempt.number),
      resolve: (delivery) => (delivery.attemptCount > 0 ? attemptKey(delivery.id, delivery.attemptCount) : null),
    }),
  }),
});

builder.queryField('delivery', (t) =>
  t.prismaField({
    type: 'Delivery',
    nullable: true,
    description: 'One delivery; null when there is none with this id.',
    args: { id: t.arg.id({ required: true, description: 'The delivery id.' }) },
    resolve: (query, _root, args, ctx) => getDelivery(ctx.rt, ctx.actor, args.id, query),
  }),
);
