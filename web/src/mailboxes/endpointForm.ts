/**
 * The endpoint form's values (strings, as typed, times in seconds) and the GraphQL input
 * they become (times in milliseconds). A retry field left blank takes the preset's value
 * (the server fills it in), so choosing a preset is enough; a new endpoint whose preset is
 * left on the instance default sends no retry policy at all. Pure, so the rules are tested
 * without a browser; the server validates again and its messages are shown as they come.
 */
import type {
  CreateEndpointInput,
  EndpointFieldsFragment,
  RetryPolicyInput,
  RetryPreset,
  UpdateEndpointInput,
} from '../generated/graphql.ts';

export interface EndpointFormValues {
  url: string;
  description: string;
  eventTypes: string;
  timeoutSeconds: string;
  /** The preset blank retry fields come from; '' (new endpoints only): the instance default. */
  preset: RetryPreset | '';
  maxAttempts: string;
  baseDelaySeconds: string;
  factor: string;
  maxDelaySeconds: string;
  /** How far each delay is spread, ± percent (0 to 100). */
  jitterPercent: string;
  /** Explicit delays in seconds, comma-separated; replaces the exponential rule when given. */
  schedule: string;
  /** At most this many deliveries a second; blank: no limit. */
  rateLimitPerSecond: string;
  /** At most this many requests at a time; blank: each worker's fair share. */
  maxInFlight: string;
  /** Events of one ordering key one at a time, in arrival order. */
  orderedByKey: boolean;
  /** The JSON body field the key is read from without an `x-ordering-key`; blank: the header only. */
  orderingKeyField: string;
  headers: { name: string; value: string }[];
}

/** The retry fields, which a change of preset clears so the preset's values apply. */
export const retryFields = [
  'maxAttempts',
  'baseDelaySeconds',
  'factor',
  'maxDelaySeconds',
  'jitterPercent',
  'schedule',
] as const satisfies readonly (keyof EndpointFormValues)[];

export const retryPresetChoices: { value: RetryPreset; label: string }[] = [
  { value: 'spec', label: 'spec: 3 attempts, at once, +2 s, +4 s' },
  { value: 'production', label: 'production: 8 attempts over about 27 h, ±10%' },
];

export const defaultEndpointForm: EndpointFormValues = {
  url: '',
  description: '',
  eventTypes: '',
  timeoutSeconds: '15',
  preset: '',
  maxAttempts: '',
  baseDelaySeconds: '',
  factor: '',
  maxDelaySeconds: '',
  jitterPercent: '',
  schedule: '',
  rateLimitPerSecond: '',
  maxInFlight: '',
  orderedByKey: false,
  orderingKeyField: '',
  headers: [],
};

const seconds = (ms: number) => String(ms / 1000);

export function formFromEndpoint(endpoint: EndpointFieldsFragment): EndpointFormValues {
  const policy = endpoint.retryPolicy;
  return {
    url: endpoint.url,
    description: endpoint.description,
    eventTypes: endpoint.eventTypes.join(', '),
    timeoutSeconds: seconds(endpoint.timeoutMs),
    preset: policy.preset,
    maxAttempts: String(policy.maxAttempts),
    baseDelaySeconds: seconds(policy.baseDelayMs),
    factor: String(policy.factor),
    maxDelaySeconds: seconds(policy.maxDelayMs),
    jitterPercent: String(+(policy.jitter * 100).toFixed(2)),
    schedule: policy.schedule.map(seconds).join(', '),
    rateLimitPerSecond: endpoint.rateLimitPerSecond === null ? '' : String(endpoint.rateLimitPerSecond),
    maxInFlight: endpoint.maxInFlight === null ? '' : String(endpoint.maxInFlight),
    orderedByKey: endpoint.orderedByKey,
    orderingKeyField: endpoint.orderingKeyField ?? '',
    headers: endpoint.headers.map((header) => ({ ...header })),
  };
}

export type FormResult =
  | { ok: true; input: Omit<CreateEndpointInput, 'mailboxId'> & UpdateEndpointInput }
  | { ok: false; errors: Partial<Record<keyof EndpointFormValues, string>> };

/** A typed number, undefined when the field is blank, NaN when it is not a number. */
const number = (value: string) => (value.trim() === '' ? undefined : Number(value));

export function endpointInputOf(values: EndpointFormValues): FormResult {
  const errors: Partial<Record<keyof EndpointFormValues, string>> = {};
  const url = values.url.trim();
  if (!/^https?:\/\/\S+$/i.test(url)) errors.url = 'An http:// or https:// URL.';
  const timeout = number(values.timeoutSeconds) ?? Number.NaN;
  if (!(timeout >= 1 && timeout <= 60)) errors.timeoutSeconds = 'Between 1 and 60 seconds.';
  const schedule = values.schedule
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)
    .map(Number);
  if (schedule.some((delay) => !(delay >= 0))) errors.schedule = 'Delays in seconds, separated by commas.';
  const maxAttempts = number(values.maxAttempts);
  const baseDelay = number(values.baseDelaySeconds);
  const factor = number(values.factor);
  const maxDelay = number(values.maxDelaySeconds);
  if (schedule.length === 0) {
    if (maxAttempts !== undefined && !(Number.isInteger(maxAttempts) && maxAttempts >= 1 && maxAttempts <= 50))
      errors.maxAttempts = 'A whole number from 1 to 50.';
    if (baseDelay !== undefined && !(baseDelay >= 0)) errors.baseDelaySeconds = 'Seconds, 0 or more.';
    if (factor !== undefined && !(factor >= 1 && factor <= 10)) errors.factor = 'From 1 to 10.';
    if (maxDelay !== undefined && !(maxDelay >= 0)) errors.maxDelaySeconds = 'Seconds, 0 or more.';
  }
  const jitterPercent = number(values.jitterPercent);
  if (jitterPercent !== undefined && !(jitterPercent >= 0 && jitterPercent <= 100))
    errors.jitterPercent = 'From 0 to 100 %.';
  const rateLimit = number(values.rateLimitPerSecond);
  if (rateLimit !== undefined && !(rateLimit >= 0.01 && rateLimit <= 10_000))
    errors.rateLimitPerSecond = 'From 0.01 to 10,000 a second.';
  const maxInFlight = number(values.maxInFlight);
  if (maxInFlight !== undefined && !(Number.isInteger(maxInFlight) && maxInFlight >= 1 && maxInFlight <= 1000))
    errors.maxInFlight = 'A whole number from 1 to 1,000.';
  const orderingKeyField = values.orderingKeyField.trim();
  // The server's rule (ingest/orderingKey.ts), so a typo shows beside the field.
  if (orderingKeyField && !/^[A-Za-z0-9_$@-]{1,64}(\.[A-Za-z0-9_$@-]{1,64}){0,7}$/.test(orderingKeyField))
    errors.orderingKeyField = 'Field names joined by dots, like data.customer_id.';
  const headers = values.headers.filter((header) => header.name.trim() || header.value.trim());
  if (headers.some((header) => !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(header.name.trim())))
    errors.headers = 'Header names are letters, digits and - _ . only.';
  if (Object.keys(errors).length > 0) return { ok: false, errors };

  const ms = (s: number) => Math.round(s * 1000);
  const given = <T>(entries: [string, T | undefined][]) =>
    Object.fromEntries(entries.filter(([, value]) => value !== undefined)) as Partial<RetryPolicyInput>;
  const rule: Partial<RetryPolicyInput> =
    schedule.length > 0
      ? { schedule: schedule.map(ms) }
      : given([
          ['maxAttempts', maxAttempts],
          ['baseDelayMs', baseDelay === undefined ? undefined : ms(baseDelay)],
          ['factor', factor],
          ['maxDelayMs', maxDelay === undefined ? undefined : ms(maxDelay)],
        ]);
  const retryPolicy: RetryPolicyInput = {
    ...(values.preset ? { preset: values.preset } : {}),
    ...rule,
    ...(jitterPercent === undefined ? {} : { jitter: jitterPercent / 100 }),
  };
  return {
    ok: true,
    input: {
      url,
      description: values.description.trim(),
      eventTypes: values.eventTypes
        .split(',')
        .map((type) => type.trim())
        .filter(Boolean),
      timeoutMs: ms(timeout),
      // Nothing chosen: the instance default (HOOKPOST_DEFAULT_RETRY_POLICY) applies.
      ...(Object.keys(retryPolicy).length > 0 ? { retryPolicy } : {}),
      rateLimitPerSecond: rateLimit ?? null,
      maxInFlight: maxInFlight ?? null,
      orderedByKey: values.orderedByKey,
      orderingKeyField: orderingKeyField || null,
      headers: headers.map((header) => ({ name: header.name.trim(), value: header.value })),
    },
  };
}

/**
 * What an edit changes: only the fields whose value differs from the endpoint's, so a
 * field the form does not show (or shows rounded) is never reset by saving another one.
 * The retry policy is replaced whole by the server, so when it changes it is sent whole,
 * with the preset it was loaded with (or the one chosen).
 */
export function endpointChangesOf(original: EndpointFieldsFragment, values: EndpointFormValues): FormResult {
  const result = endpointInputOf(values);
  if (!result.ok) return result;
  const before = endpointInputOf(formFromEndpoint(original));
  if (!before.ok) return result; // The stored endpoint breaks the form's rules: send everything.
  const changes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(result.input))
    if (JSON.stringify(value) !== JSON.stringify(before.input[key as keyof typeof before.input])) changes[key] = value;
  return { ok: true, input: changes as typeof result.input };
}

/** "3 attempts: now, +2 s, +4 s" — the policy in words, as the endpoint card shows it. */
export function describeRetryPolicy(policy: Omit<EndpointFieldsFragment['retryPolicy'], 'preset'>): string {
  const delays: number[] = [];
  if (policy.schedule.length > 0) delays.push(...policy.schedule);
  else
    for (let i = 0; i < policy.maxAttempts - 1; i++)
      delays.push(Math.min(policy.baseDelayMs * policy.factor ** i, policy.maxDelayMs));
  const human = (ms: number) =>
    ms < 1000
      ? `${ms} ms`
      : ms < 120_000
        ? `${+(ms / 1000).toFixed(1)} s`
        : ms < 7_200_000
          ? `${+(ms / 60_000).toFixed(1)} min`
          : `${+(ms / 3_600_000).toFixed(1)} h`;
  const shown = delays.slice(0, 5).map((delay) => `+${human(delay)}`);
  if (delays.length > 5) shown.push('…');
  const attempts = delays.length + 1;
  return `${attempts} attempt${attempts === 1 ? '' : 's'}: now${shown.length ? `, ${shown.join(', ')}` : ''}${policy.jitter > 0 ? ` (±${Math.round(policy.jitter * 100)}%)` : ''}`;
}
