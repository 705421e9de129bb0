/**
 * What went wrong, in the words a person reads: the one place that turns a GraphQL or
 * network error into text, so every view, toast and form says it the same way (without
 * urql's "[GraphQL]" prefix, and with a useful sentence when Hookpost could not be reached).
 */
import { CombinedError } from 'urql';

export type AnyError = CombinedError | Error | { message: string } | string;

export function errorMessage(error: AnyError): string {
  if (typeof error === 'string') return error;
  if (error instanceof CombinedError) {
    const messages = [...new Set(error.graphQLErrors.map((e) => e.message))];
    if (messages.length > 0) return messages.join(' ');
    if (error.networkError)
      return `Could not reach Hookpost (${error.networkError.message.replace(/^\[Network\] /, '')}). Check the connection and try again.`;
  }
  return error.message.replace(/^\[(GraphQL|Network)\] /, '');
}

/** The error's `extensions.code` (the REST codes: validation_failed, not_retryable…), if it has one. */
export function errorCode(error: AnyError | undefined): string | undefined {
  if (!(error instanceof CombinedError)) return undefined;
  const code = error.graphQLErrors.find((e) => typeof e.extensions?.['code'] === 'string')?.extensions['code'];
  return typeof code === 'string' ? code : undefined;
}
