import { describe, expect, test } from 'vitest';
import { isDatabaseUnavailable } from './unavailable.ts';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('database unavailable', () => {
  test.each([
    withCode('57P01', 'terminating connection due to administrator command'),
    withCode('57P03', 'the database system is starting up'),
    withCode('08006'),
    withCode('53300', 'sorry, too many clients already'),
    withCode('ECONNREFUSED'),
    new Error('Connection terminated unexpectedly'),
    new Error('timeout exceeded when trying to connect'),
    new Error('wrapped', { cause: withCode('ECONNRESET') }),
    new AggregateError([new Error('a'), withCode('ECONNREFUSED')]),
  ])('%s is the database being unavailable', (error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  test.each([
    withCode('23505', 'duplicate key value violates unique constraint'),
    withCode('42P01', 'relation does not exist'),
    new Error('Something else'),
    'not an error',
  ])('%s is not', (error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
