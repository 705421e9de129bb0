/** Stats: counts and per-minute attempts over a time window (events/eventStats.ts). */
import { eventStats, statsQuerySchema, type AttemptsInMinute, type Stats as StatsShape } from '../../events/eventStats.ts';
import type { DeliveryStatus as DeliveryStatusValue, EventStatus as EventStatusValue } from '../../events/statuses.ts';
import { builder } from '../builder.ts';
import { DeliveryStatus } from './delivery.ts';
import { EventStatus } from './eventStatus.ts';

const EventStatusCount = builder.objectRef<{ status: EventStatusValue; count: number }>('EventStatusCount').implement({
  description: 'How many events of the window have one status.',
  fields: (t) => ({
    status: t.expose('status', { type: EventStatus, description: 'The status.' }),
    count: t.exposeInt('count', { description: 'How many events have it.' }),
  }),
});

const DeliveryStatusCount = builder.objectRef<{ status: DeliveryStatusValue; count: number }>('DeliveryStatusCount').implement({
  description: 'How many deliveries of the window have one status.',
  fields: (t) => ({
    status: t.expose('status', { type: DeliveryStatus, description: 'The status.' }),
    count: t.exposeInt('count', { description: 'How many deliveries have it.' }),
  }),
});

const AttemptCounts = builder.objectRef<Omit<AttemptsInMinute, 'minute'>>('AttemptCounts').implement({
  description: 'Attempts made in the window, succeeded (2xx) and failed.',
  fields: (t) => ({
    attempts: t.exposeInt('attempts', { description: 'Attempts started.' }),
    succeeded: t.exposeInt('succeeded', { description: 'Attempts answered with 2xx.' }),
    failed: t.exposeInt('failed', { description: 'Attempts that failed (error or non-2xx answer).' }),
  }),
});

const AttemptsPerMinute = builder.objectRef<AttemptsInMinute>('AttemptsPerMinute').implement({
  description: 'Attempts started in one minute.',
  fields: (t) => ({
    minute: t.expose('minute', { type: 'DateTime', description: 'The start of the minute.' }),
    attempts: t.exposeInt('attempts', { description: 'Attempts started in it.' }),
    succeeded: t.exposeInt('succeeded', { description: 'Of those, answered with 2xx.' }),
    failed: t.exposeInt('failed', { description: 'Of those, failed (error or non-2xx answer).' }),
  }),
});

const Stats = builder.objectRef<StatsShape>('Stats').implement({
  description: 'Counts over a time window for one mailbox, one endpoint, or everything.',
  fields: (t) => ({
    from: t.expose('from', { type: 'DateTime', description: 'Start of the window (inclusive).' }),
    to: t.expose('to', { type: 'DateTime', description: 'End of the window (exclusive).' }),
    events: t.field({ type: [EventStatusCount], description: 'Events accepted in the window, by status (every status listed, zeros included).', resolve: (stats) => stats.events }),
    deliveries: t.field({ type: [DeliveryStatusCount], description: 'Deliveries of the events accepted in the window, by status.', resolve: (stats) => stats.deliveries }),
    attempts: t.field({
      type: AttemptCounts,
      description: 'Attempts started in the window, in all.',
      resolve: (stats) =>
        stats.attemptsPerMinute.reduce(
          (sum, minute) => ({ attempts: sum.attempts + minute.attempts, succeeded: sum.succeeded + minute.succeeded, failed: sum.failed + minute.failed }),
          { attempts: 0, succeeded: 0, failed: 0 },
        ),
    }),
    attemptsPerMinute: t.field({ type: [AttemptsPerMinute], description: 'Attempts started in the window, minute by minute, oldest first (empty minutes are zeros).', resolve: (stats) => stats.attemptsPerMinute }),
  }),
});

builder.queryField('stats', (t) =>
  t.field({
    type: Stats,
    description: 'Events and deliveries by status, and attempts per minute, over a time window (default: the last hour; at most 7 days).',
    args: {
      mailboxId: t.arg.id({ description: 'Only this mailbox.', validate: statsQuerySchema.in.shape.mailboxId }),
      endpointId: t.arg.id({ description: 'Only this endpoint.', validate: statsQuerySchema.in.shape.endpointId }),
      from: t.arg({ type: 'DateTime', description: 'Start of the window (inclusive). Default: an hour before `to`.' }),
      to: t.arg({ type: 'DateTime', description: 'End of the window (exclusive). Default: now.' }),
    },
    resolve: (_root, args, ctx) =>
      eventStats(ctx.rt, ctx.actor, {
        mailboxId: args.mailboxId ?? undefined,
        endpointId: args.endpointId ?? undefined,
        from: args.from ?? undefined,
        to: args.to ?? undefined,
      }),
  }),
);
