/**
 * Retention, the rules: how long events, captured response bodies and audit entries are
 * kept, in days (0 keeps them forever), and from that, the moment before which they go.
 * A mailbox may keep its events longer or shorter than the instance default. Response
 * bodies have their own (usually shorter) retention, and go with their event at the latest.
 */
import { z } from 'zod';

const DAY_MS = 24 * 3600_000;

/** The longest retention that can be set, in days (100 years: "keep" without meaning forever). */
export const MAX_RETENTION_DAYS = 36_500;

/** A mailbox's own retention: whole days, 0 for forever; null falls back to the instance default. */
export const mailboxRetentionDaysSchema = z
  .int('must be a whole number of days')
  .min(0, 'must be 0 (keep forever) or more days')
  .max(MAX_RETENTION_DAYS, `must be at most ${MAX_RETENTION_DAYS} days`)
  .nullable();

/** The days a mailbox's events are kept: its own setting, else the instance default. */
export function effectiveRetentionDays(mailboxDays: number | null, defaultDays: number): number {
  return mailboxDays ?? defaultDays;
}

/** What is older than this goes; null when it is kept forever (0 days). */
export function retentionCutoff(now: Date, days: number): Date | null {
  return days > 0 ? new Date(now.getTime() - days * DAY_MS) : null;
}
