/** An endpoint's delivery settings as they stand: limits, ordering, retries, timeout, and when its circuit opens. */
import type { EndpointHealthQuery } from '../generated/graphql.ts';
import { describeRetryPolicy } from '../mailboxes/endpointForm.ts';
import { formatDuration } from '../ui/format.ts';
import { describeHealthPolicy, describeMaxInFlight, describeOrdering, describeRateLimit } from './healthWords.ts';

type Endpoint = NonNullable<EndpointHealthQuery['endpoint']>;

export function EndpointSettingsCard({ endpoint }: { endpoint: Endpoint }) {
  const policy = describeHealthPolicy(endpoint.healthPolicy);
  const settings: [string, string][] = [
    ['Rate limit', describeRateLimit(endpoint.rateLimitPerSecond)],
    ['Concurrency', describeMaxInFlight(endpoint.maxInFlight)],
    ['Ordering', describeOrdering(endpoint)],
    ['Retries', `${endpoint.retryPolicy.preset} preset: ${describeRetryPolicy(endpoint.retryPolicy)}`],
    ['Timeout', formatDuration(endpoint.timeoutMs)],
    ['Circuit opens', policy.opens],
    ['Then rests', policy.rests],
    ['Auto-disable', policy.disables],
  ];
  return (
    <section className="card" aria-labelledby="settings-title">
      <header className="card-header">
        <h2 id="settings-title">Settings</h2>
        <span className="muted small">rate limit, concurrency, ordering and retries are edited with the endpoint</span>
      </header>
      <dl className="settings-list">
        {settings.map(([name, value]) => (
          <div key={name} data-setting={name}>
            <dt>{name}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
