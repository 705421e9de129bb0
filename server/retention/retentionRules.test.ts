import { describe, expect, test } from 'vitest';
import { effectiveRetentionDays, mailboxRetentionDaysSchema, retentionCutoff } from './retentionRules.ts';

const now = new Date('2026-12-31T12:00:00Z');

describe('retention', () => {
  test('a mailbox without its own setting keeps events as long as the instance', () => {
    expect(effectiveRetentionDays(null, 30)).toBe(30);
    expect(effectiveRetentionDays(90, 30)).toBe(90);
    expect(effectiveRetentionDays(0, 30)).toBe(0);
  });

  test('what is older than the days given goes', () => {
    expect(retentionCutoff(now, 30)).toEqual(new Date('2026-12-01T12:00:00Z'));
    expect(retentionCutoff(now, 1)).toEqual(new Date('2026-12-30T12:00:00Z'));
  });

  test('0 days keeps everything', () => {
    expect(retentionCutoff(now, 0)).toBeNull();
  });

  test.each([0, 1, 30, 36_500, null])('%s is a mailbox setting', (days) => {
    expect(mailboxRetentionDaysSchema.safeParse(days).success).toBe(true);
  });

  test.each([-1, 1.5, 36_501, '30'])('%s is not', (days) => {
    expect(mailboxRetentionDaysSchema.safeParse(days).success).toBe(false);
  });
});
