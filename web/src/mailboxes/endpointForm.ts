/**
 * The endpoint form's values (strings, as typed, times in seconds) and the GraphQL input
 * they become (times in milliseconds). Pure, so the rules are tested without a browser;
 * the server validates again and its messages are shown as they come.
 */
import type { CreateEndpointInput, EndpointFieldsFragment, UpdateEndpointInput } from '../generated/graphql.ts';

export interface EndpointFormValues {
  url: string;
  description: string;
  eventTypes: string;
  timeoutSeconds: string;
  maxAttempts: string;
  baseDelaySeconds: string;
  factor: string;
  maxDelaySeconds: string;
  /** How far each delay is spread, ± percent (0 to 100). */
  jitterPercent: string;
  /** Explicit delays in seconds, comma-separated; replaces the exponential rule when given. */
  schedule: string;
  headers: { name: string; value: string }[];
}

export const defaultEndpointForm: EndpointFormValues = {
  url: '',
  description: '',
  eventTypes: '',
  timeoutSeconds: '15',
  maxAttempts: '3',
  baseDelaySeconds: '2',
  factor: '2',
  maxDelaySeconds: '3600',
  jitterPercent: '0',
  schedule: '',
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
    maxAttempts: String(policy.maxAttempts),
    baseDelaySeconds: seconds(policy.baseDelayMs),
    factor: String(policy.factor),
    maxDelaySeconds: seconds(policy.maxDelayMs),
    jitterPercent: String(+(policy.jitter * 100).toFixed(2)),
    schedule: policy.schedule.map(seconds).join(', '),
    headers: endpoint.headers.map((header) => ({ ...header })),
  };
}

export type FormResult =
  | { ok: true; input: Omit<CreateEndpointInput, 'mailboxId'> & UpdateEndpointInput }
  | { ok: false; errors: Partial<Record<keyof EndpointFormValues, string>> };

const number = (value: string) => (value.trim() === '' ? Number.NaN : Number(value));

export function endpointInputOf(values: EndpointFormValues): FormResult {
  const errors: Partial<Record<keyof EndpointFormValues, string>> = {};
  const url = values.url.trim();
  if (!/^https?:\/\/\S+$/i.test(url)) errors.url = 'An http:// or https:// URL.';
  const timeout = number(values.timeoutSeconds);
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
    if (!(Number.isInteger(maxAttempts) && maxAttempts >= 1 && maxAttempts <= 50))
      errors.maxAttempts = 'A whole number from 1 to 50.';
    if (!(baseDelay >= 0)) errors.baseDelaySeconds = 'Seconds, 0 or more.';
    if (!(factor >= 1 && factor <= 10)) errors.factor = 'From 1 to 10.';
    if (!(maxDelay >= 0)) errors.maxDelaySeconds = 'Seconds, 0 or more.';
  }
  const jitterPercent = values.jitterPercent.trim() === '' ? 0 : Number(values.jitterPercent);
  if (!(jitterPercent >= 0 && jitterPercent <= 100)) errors.jitterPercent = 'From 0 to 100 %.';
  const headers = values.headers.filter((header) => header.name.trim() || header.value.trim());
  if (headers.some((header) => !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(header.name.trim())))
    errors.headers = 'Header names are letters, digits and - _ . only.';
  if (Object.keys(errors).length > 0) return { ok: false, errors };

  const ms = (s: number) => Math.round(s * 1000);
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
      retryPolicy:
        schedule.length > 0
          ? { schedule: schedule.map(ms), jitter: jitterPercent / 100 }
          : { maxAttempts, baseDelayMs: ms(baseDelay), factor, maxDelayMs: ms(maxDelay), jitter: jitterPercent / 100 },
      headers: headers.map((header) => ({ name: header.name.trim(), value: header.value })),
    },
  };
}

/**
 * What an edit changes: only the fields whose value differs from the endpoint's, so a
 * field the form does not show (or shows rounded) is never reset by saving another one.
 * The retry policy is replaced whole by the server, so when it changes it is sent whole.
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
