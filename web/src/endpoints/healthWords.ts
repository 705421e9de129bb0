/**
 * An endpoint's health settings and state in the words the health page shows: the
 * circuit's state, the health policy, the rate and concurrency limits. Pure and tested.
 */
import type { CircuitState, EndpointHealthQuery } from '../generated/graphql.ts';

type HealthPolicy = NonNullable<EndpointHealthQuery['endpoint']>['healthPolicy'];

export const circuitLook: Record<CircuitState, { label: string; hint: string }> = {
  closed: { label: 'Closed', hint: 'Deliveries flow.' },
  open: {
    label: 'Open',
    hint: 'Too many failures: deliveries are held until the cool-down is over, then one probe goes.',
  },
  half_open: { label: 'Half-open', hint: 'A probe delivery is on its way; its outcome closes or reopens the circuit.' },
};

/** "850 ms", "30 s", "5 min", "2 h", "5 days": a setting's length, rounded as people say it. */
export function humanSpan(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 120_000) return `${+(ms / 1000).toFixed(1)} s`;
  if (ms < 7_200_000) return `${+(ms / 60_000).toFixed(1)} min`;
  if (ms < 2 * 86_400_000) return `${+(ms / 3_600_000).toFixed(1)} h`;
  return `${+(ms / 86_400_000).toFixed(1)} days`;
}

/** When the circuit opens, and how long it rests, in one sentence each. */
export function describeHealthPolicy(policy: HealthPolicy): { opens: string; rests: string; disables: string } {
  return {
    opens: `After ${policy.failureThreshold} failure${policy.failureThreshold === 1 ? '' : 's'} in a row, or ${policy.failureRatePercent}% of at least ${policy.minAttempts} attempts within ${humanSpan(policy.windowMs)}.`,
    rests:
      policy.coolDownMs >= policy.maxCoolDownMs
        ? `${humanSpan(policy.coolDownMs)} before each probe.`
        : `${humanSpan(policy.coolDownMs)} before the first probe, doubling up to ${humanSpan(policy.maxCoolDownMs)}.`,
    disables:
      policy.disableAfterMs === 0
        ? 'Never disabled for failing.'
        : `Disabled after failing for ${humanSpan(policy.disableAfterMs)} without a success.`,
  };
}

export function describeRateLimit(perSecond: number | null | undefined): string {
  if (perSecond === null || perSecond === undefined) return 'No limit';
  if (perSecond < 1) return `1 delivery every ${humanSpan(Math.round(1000 / perSecond))}`;
  return `${+perSecond.toFixed(2)} deliver${perSecond === 1 ? 'y' : 'ies'} a second`;
}

export function describeOrdering(endpoint: { orderedByKey: boolean; orderingKeyField: string | null }): string {
  if (!endpoint.orderedByKey) return 'None: events go in parallel';
  return `One at a time per x-ordering-key${endpoint.orderingKeyField ? ` (else ${endpoint.orderingKeyField})` : ''}, in arrival order`;
}

export function describeMaxInFlight(maxInFlight: number | null | undefined): string {
  if (maxInFlight === null || maxInFlight === undefined) return "Each worker's fair share";
  return `${maxInFlight} request${maxInFlight === 1 ? '' : 's'} at a time`;
}
