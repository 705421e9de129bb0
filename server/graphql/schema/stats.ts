/** Stats: counts and per-minute attempts over a time window (events/eventStats.ts). */
import {
  eventStats,
  statsQuerySchema,
  type AttemptsInMinute,
  type EndpointHealth as EndpointHealthShape,
  type Latency as LatencyShape,
  type MinuteActivity,
  type Stats as StatsShape,
} from '../../events/eventStats.ts';
import type { DeliveryStatus as DeliveryStatusValue, EventStatus as EventStatusValue } from '../../events/statuses.ts';
import { builder } from '../builder.ts';
import { IN_ROW, listOf } from '../queryCost.ts';
import { DeliveryStatus } from './delivery.ts';
import { EventStatus } from './eventStatus.ts';

const EventStatusCount = builder.objectRef<{ status: EventStatusValue; count: number }>('EventStatusCount').implement({
  description: 'How many events of the window have one status.',
  fields: (t) => ({
    status: t.expose('status', { type: EventStatus, description: 'The status.' }),
    count: t.exposeInt('count', { description: 'How many events have it.' }),
  }),
});

const DeliveryStatusCount = builder
  .objectRef<{ status: DeliveryStatusValue; count: number }>('DeliveryStatusCount')
  .implement({
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

const Latency = builder.objectRef<LatencyShape>('Latency').implement({
  description:
    "Delivery latency: from the event's acceptance to the end of the attempt that delivered it (deliveries delivered by their retry policy, so retry delays count).",
  fields: (t) => ({
    p50Ms: t.exposeInt('p50Ms', {
      nullable: true,
      description: 'The median, in milliseconds; null when nothing was delivered.',
    }),
    p95Ms: t.exposeInt('p95Ms', {
      nullable: true,
      description: 'The 95th percentile, in milliseconds; null when nothing was delivered.',
    }),
  }),
});

const ActivityPerMinute = builder.objectRef<MinuteActivity>('ActivityPerMinute').implement({
  description: 'Events received and delivery latency in one minute.',
  fields: (t) => ({
    minute: t.expose('minute', { type: 'DateTime', description: 'The start of the minute.' }),
    received: t.exposeInt('received', { description: 'Events accepted in it.' }),
    p50Ms: t.exposeInt('p50Ms', {
      nullable: true,
      description: 'Median latency of the deliveries delivered in it, in milliseconds; null when none was.',
    }),
    p95Ms: t.exposeInt('p95Ms', {
      nullable: true,
      description: '95th percentile latency of the deliveries delivered in it, in milliseconds; null when none was.',
    }),
  }),
});

const EndpointHealth = builder.objectRef<EndpointHealthShape>('EndpointHealth').implement({
  description: 'How one endpoint fared in the window: its attempts and the deliveries that ended failed.',
  fields: (t) => ({
    endpoint: t.prismaField({
      type: 'Endpoint',
      description: 'The endpoint.',
      // Prisma batches the findUnique calls of one tick into one query.
      resolve: (query, health, _args, ctx) =>
        ctx.rt.reads.prisma.endpoint.findUniqueOrThrow({ ...query, where: { id: health.endpointId } }),
    }),
    attempts: t.exposeInt('attempts', { description: 'Attempts started in the window.' }),
    succeeded: t.exposeInt('succeeded', { description: 'Of those, answered with 2xx.' }),
    failed: t.exposeInt('failed', { description: 'Of those, failed (error or non-2xx answer).' }),
    failedDeliveries: t.exposeInt('failedDeliveries', {
      description: 'Deliveries of the events accepted in the window that ended `failed`.',
    }),
    lastAttemptAt: t.expose('lastAttemptAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When its latest attempt in the window started.',
    }),
    lastError: t.exposeString('lastError', {
      nullable: true,
      description: 'What went wrong in its latest failed attempt of the window (error message or HTTP status).',
    }),
  }),
});

/** How many endpoints `Stats.endpoints(first)` lists: default 20, at most 100. */
const endpointCount = (first: number | null | undefined) => Math.min(Math.max(first ?? 20, 0), 100);

/** Six aggregate queries over up to 7 days of history: weighed like a thousand rows. */
const STATS_COST = 1_000;

const Stats = builder.objectRef<StatsShape>('Stats').implement({
  description: 'Counts over a time window for one mailbox, one endpoint, or everything.',
  fields: (t) => ({
    from: t.expose('from', { type: 'DateTime', description: 'Start of the window (inclusive).' }),
    to: t.expose('to', { type: 'DateTime', description: 'End of the window (exclusive).' }),
    events: t.field({
      type: [EventStatusCount],
      complexity: IN_ROW,
      description: 'Events accepted in the window, by status (every status listed, zeros included).',
      resolve: (stats) => stats.events,
    }),
    deliveries: t.field({
      type: [DeliveryStatusCount],
      complexity: IN_ROW,
      description: 'Deliveries of the events accepted in the window, by status.',
      resolve: (stats) => stats.deliveries,
    }),
    attempts: t.field({
      type: AttemptCounts,
      description: 'Attempts started in the window, in all.',
      resolve: (stats) =>
        stats.attemptsPerMinute.reduce(
          (sum, minute) => ({
            attempts: sum.attempts + minute.attempts,
            succeeded: sum.succeeded + minute.succeeded,
            failed: sum.failed + minute.failed,
          }),
          { attempts: 0, succeeded: 0, failed: 0 },
        ),
    }),
    attemptsPerMinute: t.field({
      type: [AttemptsPerMinute],
      complexity: IN_ROW,
      description: 'Attempts started in the window, minute by minute, oldest first (empty minutes are zeros).',
      resolve: (stats) => stats.attemptsPerMinute,
    }),
    activityPerMinute: t.field({
      type: [ActivityPerMinute],
      complexity: IN_ROW,
      description:
        'Events received and delivery latency, minute by minute, oldest first (empty minutes: zero events, null latency).',
      resolve: (stats) => stats.minutes,
    }),
    latency: t.field({
      type: Latency,
      description: 'Delivery latency over the window.',
      resolve: (stats) => stats.latency,
    }),
    endpoints: t.field({
      type: [EndpointHealth],
      complexity: (args) => listOf(endpointCount(args.first)),
      description:
        'Endpoints with attempts or failed deliveries in the window, the most failed deliveries first, then the most failed attempts.',
      args: { first: t.arg.int({ description: 'At most this many endpoints (default 20, at most 100).' }) },
      resolve: (stats, args) => stats.endpoints.slice(0, endpointCount(args.first)),
    }),
  }),
});

builder.queryField('stats', (t) =>
  t.field({
    type: Stats,
    complexity: STATS_COST,
    description:
      'Events and deliveries by status, and attempts per minute, over a time window (default: the last hour; at most 7 days).',
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
