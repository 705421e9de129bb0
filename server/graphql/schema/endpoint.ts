/** Endpoint: a destination of a mailbox's events, with its queries and mutations. */
import { hasRole } from '../../auth/roles.ts';
import { openCustomHeaders } from '../../endpoints/customHeaders.ts';
import {
  createEndpoint,
  deleteEndpoint,
  revealSigningSecret,
  rotateEndpointSecret,
  updateEndpoint,
  type EndpointWithSecret,
} from '../../endpoints/endpointService.ts';
import { getEndpoint, listEndpoints } from '../../endpoints/endpointQueries.ts';
import { setEndpointEnabled, setEndpointPaused } from '../../health/endpointSwitches.ts';
import { builder } from '../builder.ts';
import { IN_ROW } from '../queryCost.ts';
import { DeliveryStatus } from './delivery.ts';
import { CreateEndpointInput, toEndpointPatch, UpdateEndpointInput } from './endpointInput.ts';
import { Header, headerList } from './header.ts';
import { RetryPolicy, retryPolicyOf } from './retryPolicy.ts';
import { healthPolicyOf } from '../../endpoints/healthPolicy.ts';
import { readEndpointActivity, readEndpointHealth } from '../../health/healthQueries.ts';
import { activityWindowArg, EndpointActivity, EndpointCircuit, HealthPolicy } from './endpointHealth.ts';

export const Endpoint = builder.prismaObject('Endpoint', {
  description:
    'A destination URL of a mailbox, with its event-type filter, signing secret, retry policy, timeout and custom headers.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The endpoint id (a UUID).' }),
    mailbox: t.relation('mailbox', { description: 'The mailbox it belongs to.' }),
    url: t.exposeString('url', { description: 'Where deliveries are POSTed.' }),
    description: t.exposeString('description', { description: 'A note for people.' }),
    eventTypes: t.exposeStringList('eventTypes', {
      description: 'Event-type filter: names or `*` patterns; empty means every event.',
    }),
    headers: t.field({
      type: [Header],
      complexity: IN_ROW,
      description:
        'Custom request headers sent with every delivery. Viewers see the names; values show as `[hidden]` below the operator role.',
      resolve: (endpoint, _args, ctx) => {
        const showValues = hasRole(ctx.actor, 'operator');
        return headerList(openCustomHeaders(ctx.rt.secretBox, endpoint.sealedHeaders)).map((header) =>
          showValues ? header : { ...header, value: '[hidden]' },
        );
      },
    }),
    timeoutMs: t.exposeInt('timeoutMs', { description: 'Whole-request timeout in milliseconds.' }),
    retryPolicy: t.field({
      type: RetryPolicy,
      description: 'How many attempts a delivery gets and how far apart.',
      resolve: (endpoint) => retryPolicyOf(endpoint.retryPolicy),
    }),
    enabled: t.exposeBoolean('enabled', {
      description:
        'Whether new events are delivered to it. A disabled endpoint gets no deliveries; its waiting ones were cancelled.',
    }),
    pausedAt: t.expose('pausedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'Set while paused: its deliveries are held, not dropped, until it is resumed.',
    }),
    disabledAt: t.expose('disabledAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it was last disabled (by an operator, a 410 Gone, or failing for too long).',
    }),
    disabledReason: t.exposeString('disabledReason', {
      nullable: true,
      description: 'Why it is disabled, while it is.',
    }),
    rateLimitPerSecond: t.exposeFloat('rateLimitPerSecond', {
      nullable: true,
      description: 'At most this many deliveries a second, across every worker; null: no limit.',
    }),
    maxInFlight: t.exposeInt('maxInFlight', {
      nullable: true,
      description: "At most this many requests in flight, across every worker; null: each worker's fair share only.",
    }),
    orderedByKey: t.exposeBoolean('orderedByKey', {
      description: 'Events of one ordering key are delivered one at a time, in arrival order; other keys in parallel.',
    }),
    orderingKeyField: t.exposeString('orderingKeyField', {
      nullable: true,
      description:
        "The JSON body field an event's ordering key is read from without an `x-ordering-key`; null: the header only.",
    }),
    healthPolicy: t.field({
      type: HealthPolicy,
      description: 'When its circuit opens and when it is disabled.',
      resolve: (endpoint) => healthPolicyOf(endpoint.healthPolicy),
    }),
    circuit: t.field({
      type: EndpointCircuit,
      description: 'Its circuit breaker (shared by every worker) and what it holds back.',
      resolve: (endpoint, _args, ctx) => readEndpointHealth(ctx.rt.reads.pool, endpoint.id),
    }),
    activity: t.field({
      type: EndpointActivity,
      description: 'How its recent attempts went: success and latency over time, failures by kind.',
      args: {
        windowMinutes: t.arg.int({
          defaultValue: 60,
          description: 'How far back, in minutes (at most 7 days). Default 60.',
          validate: activityWindowArg,
        }),
      },
      resolve: (endpoint, args, ctx) =>
        readEndpointActivity(ctx.rt.reads.pool, endpoint.id, (args.windowMinutes ?? 60) * 60_000),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the endpoint was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When the endpoint was last changed.' }),
    deletedAt: t.expose('deletedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the endpoint was deleted; its history stays readable.',
    }),
    // A query of its own per endpoint, with a LIMIT: planned into a list of endpoints, the
    // relation would load every delivery of every endpoint to cut pages in memory.
    deliveries: t.prismaConnection({
      type: 'Delivery',
      cursor: 'id',
      description: 'Deliveries to this endpoint, newest first.',
      args: { status: t.arg({ type: [DeliveryStatus], description: 'Only deliveries with one of these statuses.' }) },
      resolve: (query, endpoint, args, ctx) =>
        ctx.rt.reads.prisma.delivery.findMany({
          ...query,
          where: { endpointId: endpoint.id, status: args.status ? { in: args.status } : undefined },
          orderBy: { id: 'desc' },
        }),
    }),
  }),
});

const endpointWithSecret = (name: string, description: string) =>
  builder.objectRef<EndpointWithSecret>(name).implement({
    description,
    fields: (t) => ({
      endpoint: t.field({ type: Endpoint, description: 'The endpoint.', resolve: (result) => result.endpoint }),
      signingSecret: t.exposeString('signingSecret', {
        description:
          'The new `whsec_` signing secret. Shown once here (operators can reveal the current one with `Query.signingSecret`).',
      }),
    }),
  });

const CreateEndpointPayload = endpointWithSecret('CreateEndpointPayload', 'A new endpoint and its signing secret.');
const RotateEndpointSecretPayload = endpointWithSecret(
  'RotateEndpointSecretPayload',
  'An endpoint with a new signing secret; the previous one keeps signing beside it for HOOKPOST_SECRET_ROTATION_GRACE_MS (default 24 h).',
);

builder.queryFields((t) => ({
  endpoints: t.prismaConnection({
    type: 'Endpoint',
    cursor: 'id',
    description: 'Endpoints, oldest first.',
    args: {
      mailboxId: t.arg.id({ description: 'Only the endpoints of this mailbox.' }),
      enabled: t.arg.boolean({ description: 'Only enabled (true) or disabled (false) endpoints.' }),
      includeDeleted: t.arg.boolean({ defaultValue: false, description: 'Also list deleted endpoints.' }),
    },
    resolve: (query, _root, args, ctx) => listEndpoints(ctx.rt, ctx.actor, args, query),
  }),
  endpoint: t.prismaField({
    type: 'Endpoint',
    nullable: true,
    description: 'One endpoint, deleted ones included (see `deletedAt`); null when there is none with this id.',
    args: { id: t.arg.id({ required: true, description: 'The endpoint id.' }) },
    resolve: (query, _root, args, ctx) => getEndpoint(ctx.rt, ctx.actor, args.id, query),
  }),
  signingSecret: t.string({
    description: "The endpoint's current `whsec_` signing secret, for setting up a receiver. Needs the operator role.",
    authScopes: { role: 'operator' },
    args: { endpointId: t.arg.id({ required: true, description: 'The endpoint id.' }) },
    resolve: (_root, args, ctx) => revealSigningSecret(ctx.rt, ctx.actor, args.endpointId),
  }),
}));

builder.mutationFields((t) => ({
  createEndpoint: t.field({
    type: CreateEndpointPayload,
    description: 'Adds an endpoint to a mailbox. Returns its signing secret once.',
    args: { input: t.arg({ type: CreateEndpointInput, required: true, description: 'The new endpoint.' }) },
    resolve: (_root, { input }, ctx) =>
      createEndpoint(ctx.rt, ctx.actor, input.mailboxId, {
        ...toEndpointPatch(input),
        url: input.url,
        enabled: input.enabled ?? true,
      }),
  }),
  updateEndpoint: t.field({
    type: Endpoint,
    description:
      'Changes an endpoint: URL, filter, retry policy, timeout, headers, description. Only the fields given change.',
    args: {
      id: t.arg.id({ required: true, description: 'The endpoint id.' }),
      input: t.arg({ type: UpdateEndpointInput, required: true, description: 'What to change.' }),
    },
    resolve: (_root, { id, input }, ctx) => updateEndpoint(ctx.rt, ctx.actor, id, toEndpointPatch(input)),
  }),
  enableEndpoint: t.field({
    type: Endpoint,
    description:
      'Enables an endpoint: new events are delivered to it again, its health starts afresh, and `endpoint.enabled` is raised. Cancelled deliveries can be retried.',
    args: {
      id: t.arg.id({ required: true, description: 'The endpoint id.' }),
      replayMissed: t.arg.boolean({
        defaultValue: false,
        description:
          'Also deliver the events it missed while disabled (those its filter accepts), as a replay behind live traffic (see `replays`).',
      }),
    },
    resolve: (_root, { id, replayMissed }, ctx) =>
      setEndpointEnabled(ctx.rt, ctx.actor, id, true, { replayMissed: replayMissed ?? false }),
  }),
  disableEndpoint: t.field({
    type: Endpoint,
    description:
      'Disables an endpoint: it gets no new deliveries and its waiting ones are cancelled; attempts in flight finish.',
    args: { id: t.arg.id({ required: true, description: 'The endpoint id.' }) },
    resolve: (_root, { id }, ctx) => setEndpointEnabled(ctx.rt, ctx.actor, id, false),
  }),
  pauseEndpoint: t.field({
    type: Endpoint,
    description:
      'Pauses an endpoint: its deliveries (new ones and waiting ones) are held, not dropped, until it is resumed.',
    args: { id: t.arg.id({ required: true, description: 'The endpoint id.' }) },
    resolve: (_root, { id }, ctx) => setEndpointPaused(ctx.rt, ctx.actor, id, true),
  }),
  resumeEndpoint: t.field({
    type: Endpoint,
    description: 'Resumes a paused endpoint: what it held is delivered, oldest first, at a controlled rate.',
    args: { id: t.arg.id({ required: true, description: 'The endpoint id.' }) },
    resolve: (_root, { id }, ctx) => setEndpointPaused(ctx.rt, ctx.actor, id, false),
  }),
  rotateEndpointSecret: t.field({
    type: RotateEndpointSecretPayload,
    description:
      'Makes a new signing secret. The previous one keeps signing beside it for the rotation grace period, so receivers can switch without rejecting anything.',
    args: { id: t.arg.id({ required: true, description: 'The endpoint id.' }) },
    resolve: (_root, { id }, ctx) => rotateEndpointSecret(ctx.rt, ctx.actor, id),
  }),
  deleteEndpoint: t.field({
    type: Endpoint,
    description: 'Deletes an endpoint; its waiting deliveries are cancelled. History stays readable.',
    args: { id: t.arg.id({ required: true, description: 'The endpoint id.' }) },
    resolve: (_root, { id }, ctx) => deleteEndpoint(ctx.rt, ctx.actor, id),
  }),
}));
