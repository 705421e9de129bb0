/**
 * The one error shape. Expected failures are `AppError`s with a stable snake_case code
 * and the HTTP status that goes with it; REST answers them as `{error: {code, message}}`
 * and GraphQL as `extensions.code`. Anything else is unexpected and is masked.
 */

export type ErrorCode =
  | 'bad_request'
  | 'invalid_json'
  | 'validation_failed'
  | 'missing_api_key'
  | 'invalid_api_key'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'payload_too_large'
  | 'headers_too_large'
  | 'request_timeout'
  | 'unsupported_media_type'
  | 'target_not_allowed'
  | 'not_retryable'
  | 'invalid_idempotency_key'
  | 'idempotency_key_reused'
  | 'invalid_ordering_key'
  | 'too_many_requests'
  | 'query_too_complex'
  | 'query_too_deep'
  | 'query_timeout'
  | 'too_many_subscriptions'
  | 'delivery_loop'
  | 'unavailable'
  | 'internal_error';

const statusByCode: Record<ErrorCode, number> = {
  bad_request: 400,
  invalid_json: 400,
  validation_failed: 422,
  missing_api_key: 401,
  invalid_api_key: 401,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  headers_too_large: 431,
  request_timeout: 408,
  unsupported_media_type: 415,
  target_not_allowed: 422,
  not_retryable: 409,
  invalid_idempotency_key: 400,
  idempotency_key_reused: 409,
  invalid_ordering_key: 400,
  too_many_requests: 429,
  query_too_complex: 400,
  query_too_deep: 400,
  query_timeout: 503,
  too_many_subscriptions: 429,
  delivery_loop: 422,
  unavailable: 503,
  internal_error: 500,
};

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
    this.status = statusByCode[code];
  }
}

/** Whatever was thrown, as an Error (graphile-worker's `coerceError` idea). */
export function coerceError(thrown: unknown): Error {
  if (thrown instanceof Error) return thrown;
  return new Error(typeof thrown === 'string' ? thrown : JSON.stringify(thrown));
}

export const notFound = (what: string) => new AppError('not_found', `${what} was not found.`);

/** Too many failed authentications: wait `retryAfterSeconds` (REST sends it as Retry-After). */
export const tooManyFailures = (retryAfterSeconds: number) =>
  new AppError(
    'too_many_requests',
    `Too many failed sign-in attempts from here; try again in ${retryAfterSeconds} s.`,
    { retryAfterSeconds },
  );

/** 503: Hookpost cannot do this right now; the client should try again after `retryAfterSeconds`. */
export const unavailable = (message: string, retryAfterSeconds: number) =>
  new AppError('unavailable', message, { retryAfterSeconds });

/** 503: a read ran past HOOKPOST_READ_STATEMENT_TIMEOUT_MS and was cancelled. */
export const queryTimeout = () =>
  new AppError(
    'query_timeout',
    'Reading this took too long and was stopped. Ask for less (narrower filters, smaller pages) or try again shortly.',
    { retryAfterSeconds: 5 },
  );

/** When a 503 says to try again, in seconds (REST's Retry-After). */
export function retryAfterOf(error: AppError): number | undefined {
  const seconds = (error.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
  return typeof seconds === 'number' ? seconds : undefined;
}

/** One thing wrong with an input: where (field names as the service knows them) and what. */
export interface Problem {
  path: string[];
  message: string;
}

/**
 * "field.sub: message; other: message", naming fields as `rename` says (REST uses
 * snake_case): in the path, and where a message names another field (a bare camelCase
 * word; quoted text is what the caller sent and stays as it was).
 */
export function describeProblems(problems: Problem[], rename: (field: string) => string = (field) => field): string {
  const renameIn = (message: string) =>
    message
      .split(/("[^"]*")/)
      .map((part, i) => (i % 2 ? part : part.replace(/\b[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+\b/g, rename)))
      .join('');
  return problems
    .map((p) => (p.path.length ? `${p.path.map(rename).join('.')}: ${renameIn(p.message)}` : renameIn(p.message)))
    .join('; ');
}

/** One `validation_failed` for these problems (each interface names the fields its way). */
export function invalidInput(problems: Problem[]): AppError {
  return new AppError('validation_failed', describeProblems(problems), { problems });
}

/** Parses input with a zod schema; every problem is reported in one `validation_failed`. */
export function parseInput<T>(
  schema: {
    safeParse(
      input: unknown,
    ): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
  },
  input: unknown,
): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw invalidInput(result.error.issues.map((issue) => ({ path: issue.path.map(String), message: issue.message })));
}
