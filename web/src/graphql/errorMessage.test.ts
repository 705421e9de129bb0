import { GraphQLError } from 'graphql';
import { CombinedError } from 'urql';
import { describe, expect, test } from 'vitest';
import { errorCode, errorMessage } from './errorMessage.ts';

describe('an error in words', () => {
  test("a GraphQL error reads as the server's message, without urql's prefix, with its code", () => {
    const error = new CombinedError({
      graphQLErrors: [
        new GraphQLError('Nothing to retry: every delivery was delivered.', { extensions: { code: 'not_retryable' } }),
      ],
    });
    expect(error.message).toMatch(/^\[GraphQL\]/);
    expect(errorMessage(error)).toBe('Nothing to retry: every delivery was delivered.');
    expect(errorCode(error)).toBe('not_retryable');
  });

  test('a network failure says Hookpost could not be reached', () => {
    const error = new CombinedError({ networkError: new Error('Failed to fetch') });
    expect(errorMessage(error)).toBe('Could not reach Hookpost (Failed to fetch). Check the connection and try again.');
    expect(errorCode(error)).toBeUndefined();
  });

  test('plain errors and strings pass through', () => {
    expect(errorMessage(new Error('[GraphQL] boom'))).toBe('boom');
    expect(errorMessage('as is')).toBe('as is');
  });
});
