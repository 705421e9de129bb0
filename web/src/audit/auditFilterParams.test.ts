import { describe, expect, test } from 'vitest';
import { auditFilterFromParams, auditFilterToParams, auditFilterVariables } from './auditFilterParams.ts';

describe('the audit log filter in the URL', () => {
  test('read back as it was written, and a new filter starts at the first page', () => {
    const params = new URLSearchParams('after=abc&range=7d&action=endpoint.update');
    const state = auditFilterFromParams(params);
    expect(state).toEqual({
      action: 'endpoint.update',
      actor: '',
      targetType: '',
      range: '7d',
      since: '',
      until: '',
    });
    const next = auditFilterToParams({ ...state, targetType: 'endpoint' }, params);
    expect(next.toString()).toBe('range=7d&action=endpoint.update&target=endpoint');
  });

  test('a preset range counts back from now; an unknown one is ignored', () => {
    const now = Date.parse('2026-12-02T12:00:00Z');
    expect(auditFilterVariables(auditFilterFromParams(new URLSearchParams('range=24h&actor=t1')), now)).toEqual({
      actorTokenId: 't1',
      since: '2026-12-01T12:00:00.000Z',
    });
    expect(auditFilterFromParams(new URLSearchParams('range=5y')).range).toBe('');
    expect(
      auditFilterVariables(
        auditFilterFromParams(new URLSearchParams('since=2026-01-01T00:00:00Z&until=2026-02-01T00:00:00Z')),
        now,
      ),
    ).toEqual({ since: '2026-01-01T00:00:00Z', until: '2026-02-01T00:00:00Z' });
  });
});
