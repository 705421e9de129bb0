/**
 * What may be written to an endpoint, checked where it is declared. Used by REST and
 * GraphQL alike through endpointService.
 */
import { HOPS_HEADER } from '../events/hops.ts';
import { z } from 'zod';
import { filterProblem } from '../events/eventTypes.ts';
import { orderingKeyFieldProblem } from '../events/orderingKey.ts';
import { healthPolicySchema } from './healthPolicy.ts';
import { retryPolicySchema } from './retryPolicy.ts';

/** Headers Hookpost sets itself or that would break the request. */
const RESERVED_HEADERS = new Set([
  'host',
  'content-length',
  'content-type',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'user-agent',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
  HOPS_HEADER,
]);

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/;
/**
 * What Node's HTTP client sends: visible ASCII, spaces, tabs and Latin-1 letters. A
 * value with a control character or anything beyond Latin-1 would be refused at every
 * delivery, so it is refused here, once, naming the header.
 */
const headerValue = z
  .string()
  .max(4096)
  .regex(/^[^\r\n\0]*$/, 'must not contain line breaks')
  .regex(
    /^[\t\r\n\0\x20-\x7e\xa0-\xff]*$/, // line breaks and NUL have their own message
    'may only contain printable characters (ASCII or Latin-1), spaces and tabs: no control characters, no characters beyond Latin-1',
  );

export const headersSchema = z
  .record(z.string(), headerValue)
  .refine((headers) => Object.keys(headers).length <= 20, 'at most 20 custom headers')
  .superRefine((headers, ctx) => {
    const seen = new Map<string, string>();
    for (const name of Object.keys(headers)) {
      const lower = name.toLowerCase();
      if (!HEADER_NAME.test(name))
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: "is not a valid header name (letters, digits and !#$%&'*+.^_`|~- only, at most 100)",
        });
      if (RESERVED_HEADERS.has(lower))
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `is set by Hookpost and cannot be overridden (nor can ${[...RESERVED_HEADERS].join(', ')})`,
        });
      const earlier = seen.get(lower);
      // Header names are case-insensitive: one of the two would silently replace the other.
      if (earlier !== undefined)
        ctx.addIssue({ code: 'custom', path: [name], message: `is the same header as ${earlier} (names ignore case)` });
      else seen.set(lower, name);
    }
  });

const eventTypes = z.array(z.string()).superRefine((filter, ctx) => {
  const problem = filterProblem(filter);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** Where deliveries go: an http(s) URL (whether its host may be targeted is checked apart: targetGuard.ts). */
export const endpointUrlSchema = z
  .url({ protocol: /^https?$/, error: 'must be an http or https URL' })
  .max(2048, 'must be at most 2048 characters');

const fields = {
  url: endpointUrlSchema,
  description: z.string().max(500),
  eventTypes,
  headers: headersSchema,
  /** Whole-request timeout in ms: 1 s to 60 s. */
  timeoutMs: z.int().min(1_000).max(60_000),
  retryPolicy: retryPolicySchema,
  /** At most this many deliveries a second across every worker; null: no limit. */
  rateLimitPerSecond: z.number().min(0.01).max(10_000).nullable(),
  /** At most this many requests in flight across every worker; null: each worker's fair share only. */
  maxInFlight: z.int().min(1).max(1_000).nullable(),
  /** When its circuit opens and when it is disabled; null: the defaults (healthPolicy.ts). Omitted fields take defaults. */
  healthPolicy: healthPolicySchema.nullable(),
  /** Deliveries of one ordering key one at a time, in arrival order (deliveries/orderingLine.ts). */
  orderedByKey: z.boolean(),
  /** The JSON body field an event's ordering key is read from when it has no `x-ordering-key`; null: the header only. */
  orderingKeyField: z
    .string()
    .superRefine((path, ctx) => {
      const problem = orderingKeyFieldProblem(path);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .nullable(),
};

export const newEndpointSchema = z.object({
  url: fields.url,
  description: fields.description.default(''),
  eventTypes: fields.eventTypes.default([]),
  headers: fields.headers.default({}),
  timeoutMs: fields.timeoutMs.default(15_000),
  retryPolicy: retryPolicySchema.prefault({}),
  rateLimitPerSecond: fields.rateLimitPerSecond.default(null),
  maxInFlight: fields.maxInFlight.default(null),
  healthPolicy: fields.healthPolicy.default(null),
  orderedByKey: fields.orderedByKey.default(false),
  orderingKeyField: fields.orderingKeyField.default(null),
  enabled: z.boolean().default(true),
});

/** A change to an endpoint; a given retryPolicy replaces the whole policy (omitted fields take defaults). */
export const endpointPatchSchema = z.object(fields).partial();

export type NewEndpointInput = z.input<typeof newEndpointSchema>;
export type EndpointPatchInput = z.input<typeof endpointPatchSchema>;
