import { describe, expect, test } from 'vitest';
import { expiresAtOf } from './expiryChoices.ts';

describe('when a new access token stops working', () => {
  const now = Date.parse('2026-12-02T12:00:00Z');

  test('a preset counts days from now; never is null', () => {
    expect(expiresAtOf('30d', now)).toBe('2027-01-01T12:00:00.000Z');
    expect(expiresAtOf('never', now)).toBeNull();
  });

  test('a chosen date works to the end of that day (UTC); no date chosen is no expiry', () => {
    expect(expiresAtOf('custom', now, '2027-03-01')).toBe('2027-03-01T23:59:59.999Z');
    expect(expiresAtOf('custom', now, '')).toBeNull();
  });
});
