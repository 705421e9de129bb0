import { describe, expect, test } from 'vitest';
import { defaultEndpointForm, describeRetryPolicy, endpointInputOf } from './endpointForm.ts';

describe('the endpoint form', () => {
  test('seconds become milliseconds and the exponential rule is sent when no schedule is given', () => {
    const result = endpointInputOf({
      ...defaultEndpointForm,
      url: ' https://example.com/hook ',
      eventTypes: 'order.*, , invoice.paid',
      headers: [
        { name: 'Authorization', value: 'Bearer x' },
        { name: '', value: '' },
      ],
    });
    expect(result).toEqual({
      ok: true,
      input: {
        url: 'https://example.com/hook',
        description: '',
        eventTypes: ['order.*', 'invoice.paid'],
        timeoutMs: 15_000,
        retryPolicy: { maxAttempts: 3, baseDelayMs: 2000, factor: 2, maxDelayMs: 3_600_000, jitter: 0 },
        headers: [{ name: 'Authorization', value: 'Bearer x' }],
      },
    });
  });

  test('an explicit schedule replaces the rule', () => {
    const result = endpointInputOf({
      ...defaultEndpointForm,
      url: 'http://127.0.0.1:9000',
      schedule: '1, 10, 60',
      maxAttempts: '',
    });
    expect(result.ok && result.input.retryPolicy).toEqual({ schedule: [1000, 10_000, 60_000], jitter: 0 });
  });

  test('mistakes are named per field', () => {
    const result = endpointInputOf({
      ...defaultEndpointForm,
      url: 'ftp://x',
      timeoutSeconds: '90',
      maxAttempts: '0',
      headers: [{ name: 'Bad Header', value: 'v' }],
    });
    expect(result.ok).toBe(false);
    expect(!result.ok && Object.keys(result.errors).sort()).toEqual([
      'headers',
      'maxAttempts',
      'timeoutSeconds',
      'url',
    ]);
  });

  test('a retry policy in words', () => {
    expect(
      describeRetryPolicy({
        maxAttempts: 3,
        baseDelayMs: 2000,
        factor: 2,
        maxDelayMs: 3_600_000,
        jitter: 0,
        schedule: [],
      }),
    ).toBe('3 attempts: now, +2 s, +4 s');
    expect(
      describeRetryPolicy({
        maxAttempts: 1,
        baseDelayMs: 2000,
        factor: 2,
        maxDelayMs: 3_600_000,
        jitter: 0,
        schedule: [],
      }),
    ).toBe('1 attempt: now');
    expect(
      describeRetryPolicy({
        maxAttempts: 4,
        baseDelayMs: 0,
        factor: 1,
        maxDelayMs: 0,
        jitter: 0.2,
        schedule: [1000, 600_000, 7_200_000],
      }),
    ).toBe('4 attempts: now, +1 s, +10 min, +2 h (±20%)');
  });
});
