/**
 * An endpoint's health: its circuit, what it holds back, its health policy, and how its
 * recent attempts went (health/healthQueries.ts); and the subscription that pushes
 * health and setting changes (circuit opened or closed, paused, disabled…) live.
 */
import { z } from 'zod';
import {
  defaultHealthPolicy,
  healthPolicySchema,
  type HealthPolicy as HealthPolicyShape,
} from '../../endpoints/healthPolicy.ts';
import {
  MAX_ACTIVITY_WINDOW_MS,
  type ActivityBucket as ActivityBucketShape,
  type EndpointActivity as EndpointActivityShape,
  type EndpointHealthView,
  type ErrorGroup as ErrorGroupShape,
} from '../../health/healthQueries.ts';
import type { Endpoint as EndpointRow } from '../../db/generated/prisma/client.ts';
import { LIVE_MAX_ITEMS, LIVE_WINDOW_MS } from '../live/liveFeeds.ts';
import type { LiveBatch } from '../live/coalescer.ts';
import { builder } from '../builder.ts';
import { withoutNulls } from '../withoutNulls.ts';

export const CircuitState = builder.enumType('CircuitState', {
  description: "Where an endpoint's circuit breaker stands.",
  values: {
    closed: { description: 'Deliveries flow.' },
    open: {
      description: 'Too many failures: deliveries are held until the cool-down is over, then one probe goes.',
    },
    half_open: { description: 'A probe delivery is on its way; its outcome closes or reopens the circuit.' },
  },
});

export const EndpointCircuit = builder.objectRef<EndpointHealthView>('EndpointCircuit').implement({
  description: "An endpoint's circuit breaker and what it holds back, shared by every worker process.",
  fields: (t) => ({
    circuitState: t.field({
      type: CircuitState,
      description: 'Where the circuit stands.',
      resolve: (h) => h.circuitState,
    }),
    reason: t.exposeString('reason', { nullable: true, description: 'Why it stands there, in words.' }),
    openedAt: t.expose('openedAt', { type: 'DateTime', nullable: true, description: 'When the circuit last opened.' }),
    retryAt: t.expose('retryAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When an open circuit lets its next probe through.',
    }),
    failingSince: t.expose('failingSince', {
      type: 'DateTime',
      nullable: true,
      description:
        'Failing without a success since then; the endpoint is disabled after `healthPolicy.disableAfterMs`.',
    }),
    throttledUntil: t.expose('throttledUntil', {
      type: 'DateTime',
      nullable: true,
      description: 'The receiver asked to slow down (429 or 503 with Retry-After) until then: nothing is sent before.',
    }),
    consecutiveFailures: t.exposeInt('consecutiveFailures', { description: 'Failed attempts in a row.' }),
    inFlight: t.exposeInt('inFlight', { description: 'Requests in flight (counted when `maxInFlight` is set).' }),
    heldCount: t.exposeInt('heldCount', { description: 'Deliveries held (circuit open or paused).' }),
    changedAt: t.expose('changedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the circuit last moved.',
    }),
  }),
});

export const HealthPolicy = builder.objectRef<HealthPolicyShape>('HealthPolicy').implement({
  description:
    'When the circuit opens, how long it rests, and when the endpoint is disabled. Defaults: 5 failures in a row or 50 % of at least 20 attempts within a minute open it for 30 s, doubling to 30 min; 5 days failing disables.',
  fields: (t) => ({
    failureThreshold: t.exposeInt('failureThreshold', { description: 'Failures in a row that open the circuit.' }),
    failureRatePercent: t.exposeInt('failureRatePercent', {
      description: 'The share of failed attempts in a window that opens the circuit, in percent.',
    }),
    windowMs: t.exposeInt('windowMs', { description: 'The window the rate is measured over, in ms.' }),
    minAttempts: t.exposeInt('minAttempts', { description: 'Attempts a window needs before its rate counts.' }),
    coolDownMs: t.exposeInt('coolDownMs', { description: 'How long an opened circuit rests before a probe, in ms.' }),
    maxCoolDownMs: t.exposeInt('maxCoolDownMs', { description: 'The longest rest, however often it reopens, in ms.' }),
    disableAfterMs: t.exposeInt('disableAfterMs', {
      description: 'An endpoint failing without a success for this long is disabled, in ms; 0 never.',
    }),
  }),
});

export const HealthPolicyInput = builder
  .inputType('HealthPolicyInput', {
    description: 'A health policy. It replaces the whole policy; omitted fields take their defaults.',
    fields: (t) => ({
      failureThreshold: t.int({
        description: `Failures in a row that open the circuit: 1 to 1000000 (a large value all but turns the breaker off). Default ${defaultHealthPolicy.failureThreshold}.`,
      }),
      failureRatePercent: t.int({
        description: `Failed share of a window that opens it, in percent: 1 to 100. Default ${defaultHealthPolicy.failureRatePercent}.`,
      }),
      windowMs: t.int({ description: 'The rate window in ms: 1 s to 1 day. Default 60000.' }),
      minAttempts: t.int({
        description: `Attempts a window needs before its rate counts. Default ${defaultHealthPolicy.minAttempts}.`,
      }),
      coolDownMs: t.int({ description: 'First rest of an opened circuit in ms: 1 s to 1 day. Default 30000.' }),
      maxCoolDownMs: t.int({ description: 'Longest rest in ms: 1 s to 7 days. Default 30 min.' }),
      disableAfterMs: t.int({
        description: 'Failing this long disables the endpoint, in ms (0 never; at most 90 days). Default 5 days.',
      }),
    }),
  })
  .validate(z.preprocess(withoutNulls, healthPolicySchema));

const ActivityBucket = builder.objectRef<ActivityBucketShape>('ActivityBucket').implement({
  description: "One time bucket of an endpoint's attempts.",
  fields: (t) => ({
    at: t.expose('at', { type: 'DateTime', description: "The bucket's start." }),
    succeeded: t.exposeInt('succeeded', { description: 'Attempts answered 2xx.' }),
    failed: t.exposeInt('failed', { description: 'Attempts that failed.' }),
    p50Ms: t.exposeInt('p50Ms', { nullable: true, description: 'Median attempt duration, in ms.' }),
    p95Ms: t.exposeInt('p95Ms', { nullable: true, description: '95th percentile attempt duration, in ms.' }),
  }),
});

const ErrorGroup = builder.objectRef<ErrorGroupShape>('ErrorGroup').implement({
  description: "An endpoint's failed attempts of one kind.",
  fields: (t) => ({
    kind: t.exposeString('kind', { description: 'timeout, connection_refused, http_status…' }),
    count: t.exposeInt('count', { description: 'Failed attempts of this kind in the window.' }),
    lastAt: t.expose('lastAt', { type: 'DateTime', description: 'When the latest one started.' }),
    lastStatusCode: t.exposeInt('lastStatusCode', { nullable: true, description: 'Its HTTP status, if it got one.' }),
    lastMessage: t.exposeString('lastMessage', { nullable: true, description: 'What went wrong, in words.' }),
  }),
});

export const EndpointActivity = builder.objectRef<EndpointActivityShape>('EndpointActivity').implement({
  description: "How an endpoint's recent attempts went (those of deliveries made in the window).",
  fields: (t) => ({
    since: t.expose('since', { type: 'DateTime', description: "The window's start." }),
    bucketSeconds: t.exposeInt('bucketSeconds', { description: 'The length of each bucket, in seconds.' }),
    buckets: t.field({
      type: [ActivityBucket],
      description: 'Attempts per bucket, oldest first (empty buckets left out).',
      resolve: (a) => a.buckets,
    }),
    errors: t.field({
      type: [ErrorGroup],
      description: 'Failures grouped by kind, most frequent first.',
      resolve: (a) => a.errors,
    }),
  }),
});

export const activityWindowArg = z
  .int()
  .min(1)
  .max(MAX_ACTIVITY_WINDOW_MS / 60_000, 'must be at most 7 days (10080 minutes)');

interface EndpointChanged {
  endpointId: string;
  mailboxId: string;
}

const EndpointsChanged = builder.objectRef<LiveBatch<EndpointChanged>>('EndpointsChanged').implement({
  description: 'Endpoints whose health or settings changed since the previous payload.',
  fields: (t) => ({
    endpoints: t.prismaField({
      type: ['Endpoint'],
      description: 'The endpoints as they are now.',
      // Read once per change and document, however many subscribers watch (live/liveReads.ts).
      resolve: async (query, batch, _args, ctx) => {
        const endpoints = await ctx.liveReads.read<EndpointChanged, EndpointRow>(batch.items, {
          what: 'endpoint',
          selection: query,
          keyOf: (change) => change.endpointId,
          rowKeyOf: (endpoint) => endpoint.id,
          readRows: (changes) =>
            ctx.rt.reads.prisma.endpoint.findMany({
              ...query,
              where: { id: { in: changes.map((change) => change.endpointId) } },
            }),
        });
        return endpoints.filter((endpoint): endpoint is EndpointRow => endpoint !== undefined);
      },
    }),
    skipped: t.exposeInt('skipped', {
      description: 'Endpoints changed that are not in `endpoints`: refetch what you show.',
    }),
    resync: t.exposeBoolean('resync', { description: 'Changes may have been missed: refetch what you show.' }),
  }),
});

builder.subscriptionField('endpointChanged', (t) =>
  t.field({
    type: EndpointsChanged,
    description: `Pushes endpoints whose circuit moved, or that were paused, resumed, enabled or disabled, by any process. A payload at most every ${LIVE_WINDOW_MS} ms, at most ${LIVE_MAX_ITEMS} endpoints each.`,
    args: {
      mailboxId: t.arg.id({
        description: 'Only endpoints of this mailbox.',
        validate: z.uuid('must be a mailbox id (a UUID)'),
      }),
    },
    subscribe: (_root, args, ctx) =>
      ctx.liveFeeds.subscribe<EndpointChanged>(
        {
          key: `endpointChanged:${args.mailboxId ?? '*'}`,
          pick: (change) =>
            change.kind === 'endpoint' && (!args.mailboxId || change.mailboxId === args.mailboxId) ? change : null,
          keyOf: (change) => change.endpointId,
        },
        { signal: ctx.shutdown, tokenId: ctx.actor?.tokenId },
      ),
    resolve: (batch) => batch,
  }),
);
