/**
 * REST's one error shape: `{error: {code, message}}` with a stable snake_case code and
 * the status that goes with it. Errors are caught here, once. Unexpected ones are logged
 * with the request id and answered as `internal_error` without their details.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isStatementTimeout } from '../db/statementTimeout.ts';
import { isDatabaseUnavailable } from '../db/unavailable.ts';
import {
  AppError,
  describeProblems,
  queryTimeout,
  retryAfterOf,
  unavailable,
  type ErrorCode,
  type Problem,
} from '../errors.ts';
import { drainBody } from './drainBody.ts';

/** Fastify's own request errors, in our words. */
const fastifyCodes: Record<string, { code: ErrorCode; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'payload_too_large', message: 'The body is larger than the limit.' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'unsupported_media_type',
    message: 'This Content-Type is not accepted here; send application/json.',
  },
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'invalid_json', message: 'The body is not valid JSON.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'invalid_json', message: 'The body is empty; send a JSON object.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: 'bad_request', message: 'The Content-Length does not match the body.' },
};

/**
 * REST names fields in snake_case; services name them as TypeScript does. Only
 * camelCase segments are field names: others are keys the caller chose (a header name).
 */
const snakeCase = (field: string) =>
  /^[a-z][A-Za-z0-9]*$/.test(field) ? field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`) : field;

export function sendError(reply: FastifyReply, error: AppError) {
  const retryAfter = retryAfterOf(error);
  if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
  const problems = (error.details as { problems?: Problem[] } | undefined)?.problems;
  const message =
    error.code === 'validation_failed' && problems ? describeProblems(problems, snakeCase) : error.message;
  return reply.status(error.status).send({ error: { code: error.code, message } });
}

/** How much of an unread body is read and dropped so the client can read an early answer. */
export interface DrainLimits {
  maxBytes: number;
  timeoutMs: number;
}

export function installErrorHandler(app: FastifyInstance, drain: DrainLimits) {
  app.setErrorHandler(async (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const answer = toAppError(error);
    if (!answer) {
      request.log.error({ err: error }, `Request ${request.id} failed unexpectedly.`);
      return reply.status(500).send({
        error: {
          code: 'internal_error',
          message: `Something went wrong on our side (request ${request.id}); it was logged.`,
        },
      });
    }
    // Refused before its body was read (too large, too much in flight, a bad key…): read
    // the rest first, so the client is still listening when the answer comes.
    if (!request.raw.complete) {
      if (await drainBody(request.raw, drain.maxBytes, drain.timeoutMs)) reply.removeHeader('connection');
      else reply.header('connection', 'close');
    }
    return sendError(reply, answer);
  });
}

/** The client-facing error for what was thrown, or null when it is ours (a 500). */
function toAppError(error: FastifyError): AppError | null {
  if (error instanceof AppError) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const problems = error.validation.map((v) =>
      v.instancePath ? `${v.instancePath.slice(1).replaceAll('/', '.')}: ${v.message}` : v.message,
    );
    return new AppError('validation_failed', `Invalid ${error.validationContext ?? 'request'}: ${problems.join('; ')}`);
  }
  const known = error.code ? fastifyCodes[error.code] : undefined;
  if (known) return new AppError(known.code, known.message);
  if (error instanceof SyntaxError && error.statusCode === 400)
    return new AppError('invalid_json', `The body is not valid JSON: ${error.message}`);
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500)
    return new AppError('bad_request', error.message);
  if (isDatabaseUnavailable(error)) return unavailable('The database is unreachable right now; try again shortly.', 5);
  if (isStatementTimeout(error)) return queryTimeout();
  return null;
}
