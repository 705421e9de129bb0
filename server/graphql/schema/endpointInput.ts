/**
 * The inputs that create and change endpoints. Each field is checked where it is
 * declared, with the endpoint service's own rules (endpoints/endpointInput.ts); the
 * service checks everything again, so REST and GraphQL cannot drift.
 */
import { endpointPatchSchema, endpointUrlSchema } from '../../endpoints/endpointInput.ts';
import type { EndpointPatchInput } from '../../endpoints/endpointInput.ts';
import { builder } from '../builder.ts';
import { HeaderInput, headerListSchema, headerRecord, type HeaderShape } from './header.ts';
import { RetryPolicyInput } from './retryPolicy.ts';
import { HealthPolicyInput } from './endpointHealth.ts';

export { endpointUrlSchema };
export const eventTypesSchema = endpointPatchSchema.shape.eventTypes;

export const CreateEndpointInput = builder.inputType('CreateEndpointInput', {
  description: 'A new endpoint of a mailbox.',
  fields: (t) => ({
    mailboxId: t.id({ required: true, description: 'The mailbox the endpoint belongs to.' }),
    url: t.string({
      required: true,
      description: 'http(s) URL the events are POSTed to; private addresses need HOOKPOST_ALLOWED_TARGETS.',
      validate: endpointUrlSchema,
    }),
    description: t.string({
      description: 'A note for people (at most 500 characters).',
      validate: endpointPatchSchema.shape.description,
    }),
    eventTypes: t.stringList({
      description: 'Event-type filter: names or patterns with `*` (`order.*`); empty or omitted means every event.',
      validate: eventTypesSchema,
    }),
    headers: t.field({
      type: [HeaderInput],
      description: 'Custom request headers (at most 20; stored encrypted).',
      validate: headerListSchema,
    }),
    timeoutMs: t.int({
      description: 'Whole-request timeout in milliseconds: 1000 to 60000. Default 15000.',
      validate: endpointPatchSchema.shape.timeoutMs,
    }),
    retryPolicy: t.field({
      type: RetryPolicyInput,
      description:
        'The retry policy; default the instance preset (HOOKPOST_DEFAULT_RETRY_POLICY: `spec`, 3 attempts, +2 s, +4 s).',
    }),
    rateLimitPerSecond: t.float({
      description: 'At most this many deliveries a second across every worker (0.01 to 10000); null: no limit.',
      validate: endpointPatchSchema.shape.rateLimitPerSecond,
    }),
    maxInFlight: t.int({
      description:
        "At most this many requests in flight across every worker (1 to 1000); null: the worker's fair share.",
      validate: endpointPatchSchema.shape.maxInFlight,
    }),
    healthPolicy: t.field({ type: HealthPolicyInput, description: 'When its circuit opens and when it is disabled.' }),
    orderedByKey: t.boolean({
      description:
        'Deliver the events of one ordering key one at a time, in arrival order, other keys in parallel. Default false. A delivery that keeps failing holds back only its key, until its retries end or it is cancelled.',
    }),
    orderingKeyField: t.string({
      description:
        'With orderedByKey: the JSON body field (`data.customer_id`) the key is read from when an event has no `x-ordering-key`; null: the header only.',
      validate: endpointPatchSchema.shape.orderingKeyField,
    }),
    enabled: t.boolean({
      defaultValue: true,
      description: 'Whether it receives deliveries from the start. Default true.',
    }),
  }),
});

export const UpdateEndpointInput = builder.inputType('UpdateEndpointInput', {
  description: 'A change to an endpoint: only the fields given change.',
  fields: (t) => ({
    url: t.string({ description: 'A new http(s) URL.', validate: endpointUrlSchema }),
    description: t.string({
      description: 'A new note (at most 500 characters).',
      validate: endpointPatchSchema.shape.description,
    }),
    eventTypes: t.stringList({
      description: 'A new event-type filter; `[]` accepts every event.',
      validate: eventTypesSchema,
    }),
    headers: t.field({
      type: [HeaderInput],
      description: 'New custom headers, replacing all of them; `[]` removes them.',
      validate: headerListSchema,
    }),
    timeoutMs: t.int({
      description: 'A new timeout in milliseconds: 1000 to 60000.',
      validate: endpointPatchSchema.shape.timeoutMs,
    }),
    retryPolicy: t.field({ type: RetryPolicyInput, description: 'A new retry policy, replacing the whole policy.' }),
    rateLimitPerSecond: t.float({
      description:
        'At most this many deliveries a second across every worker (0.01 to 10000); `null` removes the limit.',
      validate: endpointPatchSchema.shape.rateLimitPerSecond,
    }),
    maxInFlight: t.int({
      description:
        "At most this many requests in flight across every worker (1 to 1000); `null`: the worker's fair share.",
      validate: endpointPatchSchema.shape.maxInFlight,
    }),
    healthPolicy: t.field({ type: HealthPolicyInput, description: 'When its circuit opens and when it is disabled.' }),
    orderedByKey: t.boolean({
      description:
        'Deliver the events of one ordering key one at a time, in arrival order, other keys in parallel. Default false. A delivery that keeps failing holds back only its key, until its retries end or it is cancelled.',
    }),
    orderingKeyField: t.string({
      description:
        'With orderedByKey: the JSON body field (`data.customer_id`) the key is read from when an event has no `x-ordering-key`; null: the header only.',
      validate: endpointPatchSchema.shape.orderingKeyField,
    }),
  }),
});

interface EndpointFieldsInput {
  url?: string | null;
  description?: string | null;
  eventTypes?: readonly string[] | null;
  headers?: readonly HeaderShape[] | null;
  timeoutMs?: number | null;
  retryPolicy?: object | null;
  rateLimitPerSecond?: number | null;
  maxInFlight?: number | null;
  healthPolicy?: object | null;
  orderedByKey?: boolean | null;
  orderingKeyField?: string | null;
}

/** GraphQL's nulls mean "not given"; the service takes undefined. */
export function toEndpointPatch(input: EndpointFieldsInput): EndpointPatchInput {
  return {
    url: input.url ?? undefined,
    description: input.description ?? undefined,
    eventTypes: input.eventTypes ? [...input.eventTypes] : undefined,
    headers: input.headers ? headerRecord(input.headers) : undefined,
    timeoutMs: input.timeoutMs ?? undefined,
    retryPolicy: (input.retryPolicy ?? undefined) as EndpointPatchInput['retryPolicy'],
    // For limits and the health policy, an explicit null means "none" (no limit, the
    // default policy); an absent field (undefined) means "unchanged".
    rateLimitPerSecond: input.rateLimitPerSecond,
    maxInFlight: input.maxInFlight,
    healthPolicy: input.healthPolicy as EndpointPatchInput['healthPolicy'],
    orderedByKey: input.orderedByKey ?? undefined,
    // Like the limits: an explicit null means "the header only".
    orderingKeyField: input.orderingKeyField,
  };
}
