/** A mailbox's or endpoint's delivery health over the last hour, from the stats of its endpoints. */
export interface HealthCounts {
  attempts: number;
  succeeded: number;
  failed: number;
  failedDeliveries: number;
}

export type HealthLevel = 'idle' | 'healthy' | 'degraded' | 'failing';

export function sumHealth(items: HealthCounts[]): HealthCounts {
  return items.reduce(
    (sum, item) => ({
      attempts: sum.attempts + item.attempts,
      succeeded: sum.succeeded + item.succeeded,
      failed: sum.failed + item.failed,
      failedDeliveries: sum.failedDeliveries + item.failedDeliveries,
    }),
    {
      attempts: 0,
      succeeded: 0,
      failed: 0,
      failedDeliveries: 0,
    },
  );
}

/** Failing: deliveries ran out of attempts. Degraded: attempts fail but retries still save them. */
export function healthLevel(counts: HealthCounts): HealthLevel {
  if (counts.failedDeliveries > 0) return 'failing';
  if (counts.failed > 0) return 'degraded';
  if (counts.attempts === 0) return 'idle';
  return 'healthy';
}

export function healthText(counts: HealthCounts): string {
  if (counts.attempts === 0 && counts.failedDeliveries === 0) return 'No attempts in the last hour';
  const rate =
    counts.attempts > 0
      ? `${((counts.succeeded / counts.attempts) * 100).toFixed(counts.succeeded === counts.attempts ? 0 : 1)}% of ${counts.attempts} attempts succeeded`
      : '';
  const failed =
    counts.failedDeliveries > 0
      ? `${counts.failedDeliveries} failed deliver${counts.failedDeliveries === 1 ? 'y' : 'ies'}`
      : '';
  return [rate, failed].filter(Boolean).join(' · ');
}
