/**
 * GraphQL's side of the one error shape (server/errors.ts). An AppError reaches the
 * client with its message and `extensions.code`; anything else is logged and masked as
 * `internal_error`. Refusals by scope-auth and the validation plugin become the same
 * AppErrors the services throw, so a client sees one vocabulary.
 */
import { GraphQLError } from 'graphql';
import { PothosValidationError } from '@pothos/core';
import type { AuthFailure, ForbiddenResult } from '@pothos/plugin-scope-auth';
import { authorize, type OperatorRole } from '../auth/roles.ts';
import { isStatementTimeout } from '../db/statementTimeout.ts';
import { isDatabaseUnavailable } from '../db/unavailable.ts';
import { AppError, coerceError, queryTimeout, unavailable } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { GraphQLContext } from './context.ts';

/** The least role a failed scope check asked for (scopes are `{ role: … }`). */
function neededRole(failure: AuthFailure): OperatorRole | null {
  if (failure.kind === 'AuthScope' && failure.scope === 'role') return failure.parameter as OperatorRole;
  if (failure.kind === 'AllAuthScopes' || failure.kind === 'AnyAuthScopes') {
    for (const child of failure.failures) {
      const role = neededRole(child);
      if (role) return role;
    }
  }
  return null;
}

export function unauthorizedError(
  _parent: unknown,
  context: GraphQLContext,
  _info: unknown,
  result: ForbiddenResult,
): Error {
  try {
    authorize(context.actor, neededRole(result.failure) ?? 'admin');
  } catch (error) {
    return coerceError(error);
  }
  return new AppError('forbidden', result.message);
}

interface Issue {
  message: string;
  path?: ReadonlyArray<PropertyKey | { key: PropertyKey }> | undefined;
}

/** Every problem of an input in one `validation_failed`, each prefixed by its path. */
export function validationError(failure: { issues: ReadonlyArray<Issue> }, args: Record<string, unknown>): Error {
  const problems = failure.issues.map((issue) => {
    const path = (issue.path ?? [])
      .map((segment) => String(typeof segment === 'object' ? segment.key : segment))
      .join('.');
    return path ? `${path}: ${issue.message}` : issue.message;
  });
  void args;
  return new AppError('validation_failed', problems.join('; '), { problems });
}

/** What a client may be told about a failure, or null when it is ours and must be masked. */
function clientError(thrown: unknown): AppError | null {
  if (thrown instanceof AppError) return thrown;
  // Pothos refuses impossible arguments (e.g. `first` with `before`): the client's mistake.
  if (thrown instanceof PothosValidationError) return new AppError('validation_failed', thrown.message);
  // A read past the read pool's statement timeout: too much asked, or too busy now.
  if (isStatementTimeout(thrown)) return queryTimeout();
  // As REST answers it: every connection busy past the pool's wait, or no database.
  if (isDatabaseUnavailable(thrown))
    return unavailable('The database is unreachable or too busy right now; try again shortly.', 5);
  return null;
}

function located(error: unknown, message: string, code: string): GraphQLError {
  const at = error instanceof GraphQLError ? error : null;
  return new GraphQLError(message, {
    nodes: at?.nodes,
    source: at?.source,
    positions: at?.positions,
    path: at?.path,
    extensions: { code },
  });
}

/** yoga's `maskedErrors.maskError`. */
export function makeMaskError(logger: Logger) {
  return (error: unknown, message: string): Error => {
    // graphql-js may wrap twice (a variable's scalar error inside a variable error).
    let original: unknown = error;
    while (original instanceof GraphQLError && original.originalError) original = original.originalError;
    const expected = clientError(original);
    const path = error instanceof GraphQLError ? error.path?.join('.') : undefined;
    // A client's mistake is not a server error: info, with our own message but never the
    // query's source or variables (a secret may be written inline in either).
    if (expected) {
      logger.info(
        { code: expected.code, path },
        `A GraphQL operation was refused (${expected.code}): ${expected.message}`,
      );
      // A GraphQLError's message may add where it happened ("Variable $since got invalid value…"),
      // unless the error was translated (a statement timeout's message is the driver's).
      const translated = expected !== original && !(original instanceof PothosValidationError);
      return located(
        error,
        error instanceof GraphQLError && !translated ? error.message : expected.message,
        expected.code,
      );
    }
    // graphql-js's own errors (syntax, unknown fields, bad variables) are the client's too;
    // their messages may quote the values given, so they are not logged.
    // (Bad variables come wrapped: "Variable $input got invalid value…" around the cause.)
    if (error instanceof GraphQLError && original instanceof GraphQLError) {
      const code = error.extensions?.['code'] ?? original.extensions?.['code'];
      logger.info({ code: code ?? 'bad_request', path }, 'A GraphQL request was refused as malformed.');
      return error.extensions?.['code'] ? error : located(error, error.message, String(code ?? 'bad_request'));
    }
    logger.error({ err: coerceError(original), path }, 'A GraphQL operation failed unexpectedly.');
    return located(error, message, 'internal_error');
  };
}
