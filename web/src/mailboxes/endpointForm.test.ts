import { describe, expect, test } from 'vitest';
import { defaultEndpointForm, describeRetryPolicy, endpointInputOf } from './endpointForm.ts';

describe('the endpoint form', () => {
  test('seconds become milliseconds; a new endpoint left on the instance default sends no retry policy', () => {
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
        rateLimitPerSecond: null,
        maxInFlight: null,
        orderedByKey: false,
        orderingKeyField: null,
        headers: [{ name: 'Authorization', value: 'Bearer x' }],
      },
    });
  });

  test('a preset alone is enough; the fields given are sent beside it, blank ones take its values', () => {
    const base = { ...defaultEndpointForm, url: 'https://example.com/hook' };
    const production = endpointInputOf({ ...base, preset: 'production' });
    expect(production.ok && production.input.retryPolicy).toEqual({ preset: 'production' });
    const tuned = endpointInputOf({ ...base, preset: 'spec', maxAttempts: '5', baseDelaySeconds: '1.5' });
    expect(tuned.ok && tuned.input.retryPolicy).toEqual({ preset: 'spec', maxAttempts: 5, baseDelayMs: 1500 });
  });

  test('an explicit schedule replaces the rule', () => {
    const result = endpointInputOf({
      ...defaultEndpointForm,
      url: 'http://127.0.0.1:9000',
      schedule: '1, 10, 60',
      maxAttempts: '',
      jitterPercent: '0',
    });
    expect(result.ok && result.input.retryPolicy).toEqual({ schedule: [1000, 10_000, 60_000], jitter: 0 });
  });

  test('ordering by key: the key field is a dotted field path, blank for the header only', () => {
    const base = { ...defaultEndpointForm, url: 'https://example.com/hook', orderedByKey: true };
    const byField = endpointInputOf({ ...base, orderingKeyField: ' data.customer_id ' });
    expect(byField.ok && [byField.input.orderedByKey, byField.input.orderingKeyField]).toEqual([
      true,
      'data.customer_id',
    ]);
    const headerOnly = endpointInputOf(base);
    expect(headerOnly.ok && headerOnly.input.orderingKeyField).toBeNull();
    const wrong = endpointInputOf({ ...base, orderingKeyField: 'data..id' });
    expect(!wrong.ok && Object.keys(wrong.errors)).toEqual(['orderingKeyField']);
  });

  test('rate limit and concurrency: numbers in range, blank for none', () => {
    const base = { ...defaultEndpointForm, url: 'https://example.com/hook' };
    const limited = endpointInputOf({ ...base, rateLimitPerSecond: '2.5', maxInFlight: '4' });
    expect(limited.ok && [limited.input.rateLimitPerSecond, limited.input.maxInFlight]).toEqual([2.5, 4]);
    const wrong = endpointInputOf({ ...base, rateLimitPerSecond: '0', maxInFlight: '1.5' });
    expect(!wrong.ok && Object.keys(wrong.errors).sort()).toEqual(['maxInFlight', 'rateLimitPerSecond']);
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
