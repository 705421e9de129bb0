import { describe, expect, test } from 'vitest';
import { compareAttempts, type ComparableAttempt } from './compareAttempts.ts';

const attempt = (number: number, patch: Partial<ComparableAttempt> = {}): ComparableAttempt => ({
  number,
  trigger: 'scheduled',
  url: 'https://example.com/hook',
  startedAt: `2026-11-28T10:00:0${number}.000Z`,
  durationMs: 40,
  statusCode: 500,
  errorKind: 'http_status',
  errorMessage: 'The endpoint answered 500.',
  requestHeaders: [
    { name: 'webhook-id', value: 'd1' },
    { name: 'webhook-timestamp', value: String(number) },
  ],
  responseHeaders: [{ name: 'content-type', value: 'text/plain' }],
  responseBody: 'database is down',
  ...patch,
});

describe('two attempts side by side', () => {
  test('marks what changed between a failure and a success, not what changes every time', () => {
    const lines = compareAttempts(
      attempt(1),
      attempt(2, { statusCode: 200, errorKind: null, errorMessage: null, responseBody: 'ok' }),
    );
    const differing = lines.filter((line) => line.differs).map((line) => line.label);
    expect(differing).toEqual(['HTTP status', 'Error', 'Error message', 'Response body']);
    expect(lines.find((line) => line.label === 'Request webhook-id')).toMatchObject({ left: 'd1', right: 'd1' });
  });

  test('a header only one of them has shows as empty on the other side', () => {
    const lines = compareAttempts(attempt(1), attempt(2, { responseHeaders: null }));
    expect(lines.find((line) => line.label === 'Response content-type')).toMatchObject({
      left: 'text/plain',
      right: '',
      differs: true,
    });
  });
});
