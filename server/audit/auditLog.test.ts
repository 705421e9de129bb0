import { describe, expect, test } from 'vitest';
import { redactSummary } from './auditLog.ts';

describe('audit summaries hold no secrets', () => {
  test('values under secret-sounding keys are redacted, at any depth', () => {
    expect(
      redactSummary({
        name: 'Orders',
        signingSecret: 'whsec_abc',
        token: 'x',
        api_key: 'y',
        nested: { password: 'p', Authorization: 'Bearer q', url: 'https://example.com' },
      }),
    ).toEqual({
      name: 'Orders',
      signingSecret: '[redacted]',
      token: '[redacted]',
      api_key: '[redacted]',
      nested: { password: '[redacted]', Authorization: '[redacted]', url: 'https://example.com' },
    });
  });

  test('custom headers keep their names only, as an object or a list', () => {
    expect(redactSummary({ headers: { 'X-Team': 'a', Authorization: 'Bearer b' } })).toEqual({
      headers: { names: ['X-Team', 'Authorization'] },
    });
    expect(redactSummary({ headers: [{ name: 'X-Team', value: 'secret' }] })).toEqual({
      headers: { names: ['X-Team'] },
    });
  });

  test("Hookpost's own secrets and bearer credentials are redacted wherever they appear", () => {
    expect(
      redactSummary({
        note: 'rotated from whsec_c2VjcmV0c2VjcmV0 by hpt_abcdefghijklmnop',
        list: ['hpk_abcdefghijkl', 'Bearer abc.def', 'plain'],
      }),
    ).toEqual({ note: 'rotated from [redacted] by [redacted]', list: ['[redacted]', '[redacted]', 'plain'] });
  });

  test('other values are kept as they are', () => {
    expect(redactSummary({ enabled: false, timeoutMs: 15000, eventTypes: ['order.*'], at: null })).toEqual({
      enabled: false,
      timeoutMs: 15000,
      eventTypes: ['order.*'],
      at: null,
    });
  });
});
