/**
 * Whether an error is PostgreSQL cancelling a statement for running past its
 * `statement_timeout` (SQLSTATE 57014), from pg directly or wrapped by Prisma's driver
 * adapter. Reads for people run with one (readSide.ts); their callers are told
 * `query_timeout`, not `internal_error`.
 */
const TIMEOUT_MESSAGE = /canceling statement due to statement timeout/i;

export function isStatementTimeout(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 5) return false;
  // 57014 is also a cancellation by an operator; only the message tells a timeout apart.
  const { message, cause, meta } = error as { message?: unknown; cause?: unknown; meta?: unknown };
  if (typeof message === 'string' && TIMEOUT_MESSAGE.test(message)) return true;
  const adapterError = (meta as { driverAdapterError?: unknown } | undefined)?.driverAdapterError;
  return isStatementTimeout(cause, depth + 1) || isStatementTimeout(adapterError, depth + 1);
}
