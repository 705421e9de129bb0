/**
 * What may be written to an endpoint, checked where it is declared. Used by REST and
 * GraphQL alike through endpointService.
 */
import { z } from 'zod';
import { filterProblem } from '../events/eventTypes.ts';
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
]);

const headerName = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/, 'is not a valid header name');
const headerValue = z
  .string()
  .max(4096)
  .regex(/^[^\r\n\0]*$/, 'must not contain line breaks');

export const headersSchema = z
  .record(headerName, headerValue)
  .refine((headers) => Object.keys(headers).length <= 20, 'at most 20 custom headers')
  .refine((headers) => !Object.keys(headers).some((name) => RESERVED_HEADERS.has(name.toLowerCase())), {
    message: `these headers are set by Hookpost and cannot be overridden: ${[...RESERVED_HEADERS].join(', ')}`,
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
};

export const newEndpointSchema = z.object({
  url: fields.url,
  description: fields.description.default(''),
  eventTypes: fields.eventTypes.default([]),
  headers: fields.headers.default({}),
  timeoutMs: fields.timeoutMs.default(15_000),
  retryPolicy: retryPolicySchema.prefault({}),
  enabled: z.boolean().default(true),
});

/** A change to an endpoint; a given retryPolicy replaces the whole policy (omitted fields take defaults). */
export const endpointPatchSchema = z.object(fields).partial();

export type NewEndpointInput = z.input<typeof newEndpointSchema>;
export type NewEndpoint = z.output<typeof newEndpointSchema>;
export type EndpointPatchInput = z.input<typeof endpointPatchSchema>;
