/**
 * One endpoint's health: its circuit (state, reason, times), what it holds back, whether
 * it is paused or disabled and why, its limits and policies, how its attempts went over
 * a window (success rate and response time, failures by kind), and its failed
 * deliveries, with the switches and the bulk replay an operator needs. Read again
 * (throttled) when the endpoint moves (`endpointChanged`) or its deliveries do.
 */
import { ChevronLeft, History, Pencil, SearchX } from 'lucide-react';
import { lazy, Suspense, useCallback, useMemo, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import type { EndpointFieldsFragment } from '../generated/graphql.ts';
import { DeliveriesPulse } from '../graphql/pulses.ts';
import { liveSource } from '../live/liveSource.ts';
import { useLiveQuery } from '../live/useLiveQuery.ts';
import { EndpointFormDialog } from '../mailboxes/EndpointFormDialog.tsx';
import { useRoleBlock } from '../session/SessionContext.tsx';
import { CopyButton } from '../ui/CopyButton.tsx';
import { formatCount, formatDuration, formatMinute } from '../ui/format.ts';
import { usePageVariables } from '../ui/Pager.tsx';
import { RelativeTime } from '../ui/RelativeTime.tsx';
import { EmptyState, ErrorState, Loading } from '../ui/States.tsx';
import { useNow } from '../ui/useNow.ts';
import { usePageTitle } from '../ui/usePageTitle.ts';
import { activitySeries, activityWindowOf, activityWindows, bucketUnit, formatPercent } from './activitySeries.ts';
import { CircuitBadge } from './CircuitBadge.tsx';
import { EndpointChangedPulse, EndpointHealthQuery } from './endpointHealthDocuments.ts';
import { EndpointSettingsCard } from './EndpointSettings.tsx';
import { EndpointSwitches } from './EndpointSwitches.tsx';
import { DeadLettersCard, ErrorGroupsCard } from './FailureTables.tsx';
import { ReplayDialog } from './ReplayDialog.tsx';

const HealthCharts = lazy(() => import('./healthCharts.tsx').then((module) => ({ default: module.HealthCharts })));

// Mutations on the page (pause, enable, edit) answer with the endpoint: refetch what shows it.
const context = { additionalTypenames: ['Endpoint'] };

function Fact({ label, children, hint }: { label: string; children: React.ReactNode; hint?: string }) {
  return (
    <div className="figure" title={hint}>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

export function EndpointHealthPage() {
  const { endpointId = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const range = activityWindowOf(params.get('window'));
  const window = activityWindows[range];
  const page = usePageVariables();
  const [mailboxId, setMailboxId] = useState<string | null>(null);
  const live = useMemo(
    () =>
      mailboxId ? [liveSource(EndpointChangedPulse, { mailboxId }), liveSource(DeliveriesPulse, { mailboxId })] : [],
    [mailboxId],
  );
  const result = useLiveQuery({
    query: EndpointHealthQuery,
    variables: { id: endpointId, windowMinutes: window.minutes, ...page },
    context,
    live,
    refetchEveryMs: 2_000,
  });
  const roleBlock = useRoleBlock('operator');
  // A snapshot, taken when Edit is clicked: the live refetches must not reset what is being typed.
  const [editing, setEditing] = useState<EndpointFieldsFragment | null>(null);
  const [replaying, setReplaying] = useState(false);
  const now = useNow();

  const endpoint = result.data?.endpoint;
  if (endpoint && endpoint.mailbox.id !== mailboxId) setMailboxId(endpoint.mailbox.id);
  usePageTitle(endpoint ? `Health of ${endpoint.url}` : 'Endpoint health');
  const label = useCallback((iso: string) => formatMinute(iso, range !== '1h'), [range]);
  // The series ends at the clock's last tick, so the chart moves on while nothing happens.
  const points = useMemo(() => (endpoint ? activitySeries(endpoint.activity, now) : []), [endpoint, now]);

  if (result.error && !endpoint)
    return <ErrorState title="Could not load this endpoint" error={result.error} onRetry={result.refetch} />;
  if (!result.data) return <Loading label="Loading the endpoint's health…" rows={6} />;
  if (!endpoint) {
    return (
      <EmptyState
        icon={SearchX}
        title="No such endpoint"
        action={
          <Link className="button" to="/mailboxes">
            All mailboxes
          </Link>
        }
      >
        <span className="mono">{endpointId}</span>
      </EmptyState>
    );
  }

  const { circuit } = endpoint;
  const block = roleBlock ?? (endpoint.deletedAt ? 'This endpoint was deleted.' : null);
  const attempts = points.reduce((sum, point) => sum + point.succeeded + point.failed, 0);
  const succeeded = points.reduce((sum, point) => sum + point.succeeded, 0);
  const latest = points.findLast((point) => point.p95Ms !== null);
  const period = window.label;

  return (
    <div className="page endpoint-health">
      <Link to={`/mailboxes/${endpoint.mailbox.id}#endpoint-${endpoint.id}`} className="back-link">
        <ChevronLeft aria-hidden size={16} />
        {endpoint.mailbox.name}
      </Link>
      <header className="page-header">
        <div className="endpoint-health-title">
          <h1>
            Endpoint health
            {endpoint.deletedAt ? <span className="pill pill-off">deleted</span> : null}
            {!endpoint.enabled ? <span className="pill pill-off">disabled</span> : null}
            {endpoint.pausedAt ? <span className="pill pill-warn">paused</span> : null}
          </h1>
          <p className="page-sub">
            <span className="mono endpoint-health-url">{endpoint.url}</span>{' '}
            <CopyButton value={endpoint.url} label="Copy the URL" compact />
            {endpoint.description ? <> · {endpoint.description}</> : null}
          </p>
        </div>
        <div className="page-actions">
          <EndpointSwitches endpoint={endpoint} block={block} />
          <span title={block ?? undefined}>
            <button
              type="button"
              className="button button-primary"
              disabled={block !== null}
              aria-describedby={block ? 'switches-why' : undefined}
              onClick={() => setReplaying(true)}
            >
              <History aria-hidden size={15} />
              Replay failed deliveries
            </button>
          </span>
          <span title={block ?? undefined}>
            <button type="button" className="button" disabled={block !== null} onClick={() => setEditing(endpoint)}>
              <Pencil aria-hidden size={15} />
              Edit
            </button>
          </span>
        </div>
      </header>
      {block ? (
        <p id="switches-why" className="muted small">
          {block}
        </p>
      ) : null}

      {!endpoint.enabled ? (
        <div className="notice notice-error" role="note">
          <strong>Disabled</strong>
          {endpoint.disabledAt ? (
            <>
              {' '}
              <RelativeTime iso={endpoint.disabledAt} />
            </>
          ) : null}
          {endpoint.disabledReason ? `: ${endpoint.disabledReason}` : '.'} New events are not routed to it, so they will
          not reach it once it is enabled again; its failed and cancelled deliveries can still be retried.
        </div>
      ) : null}
      {endpoint.pausedAt ? (
        <div className="notice notice-warning" role="note">
          <strong>Paused</strong> <RelativeTime iso={endpoint.pausedAt} />: its deliveries are held, not dropped. Resume
          it to deliver them, oldest first.
        </div>
      ) : null}
      {circuit.throttledUntil && Date.parse(circuit.throttledUntil) > now ? (
        <div className="notice notice-warning" role="note">
          <strong>Slowed down</strong>: the receiver asked for no requests until{' '}
          <RelativeTime iso={circuit.throttledUntil} /> (429 or 503 with Retry-After).
        </div>
      ) : null}

      <div className="stat-groups">
        <section className="stat-group" aria-labelledby="circuit-title" data-stat-group="circuit">
          <header>
            <h2 id="circuit-title">Circuit breaker</h2>
            <CircuitBadge state={circuit.circuitState} />
          </header>
          {circuit.reason ? (
            <p className="circuit-reason" data-testid="circuit-reason">
              {circuit.reason}
            </p>
          ) : null}
          <dl>
            <Fact label="Failures in a row">{formatCount(circuit.consecutiveFailures)}</Fact>
            {circuit.circuitState === 'open' && circuit.retryAt ? (
              <Fact label="Next probe" hint="When the cool-down is over and one delivery is tried">
                <RelativeTime iso={circuit.retryAt} />
              </Fact>
            ) : null}
            <Fact label="Opened">
              <RelativeTime iso={circuit.openedAt} fallback="never" />
            </Fact>
            {circuit.failingSince ? (
              <Fact
                label="Failing since"
                hint="Without a success; the endpoint is disabled after the health policy's limit"
              >
                <RelativeTime iso={circuit.failingSince} />
              </Fact>
            ) : null}
          </dl>
        </section>
        <section className="stat-group" aria-labelledby="backlog-title" data-stat-group="backlog">
          <header>
            <h2 id="backlog-title">Backlog</h2>
            <span className="muted small">waiting for the endpoint</span>
          </header>
          <dl>
            <Fact label="Held" hint="Deliveries waiting because the circuit is open or the endpoint is paused">
              <span data-testid="held-count" className={circuit.heldCount > 0 ? 'text-warn' : undefined}>
                {formatCount(circuit.heldCount)}
              </span>
            </Fact>
            <Fact label="In flight" hint="Counted when a concurrency limit is set">
              {formatCount(circuit.inFlight)}
            </Fact>
          </dl>
        </section>
        <section className="stat-group" aria-labelledby="window-title" data-stat-group="window">
          <header>
            <h2 id="window-title">Attempts</h2>
            <span className="muted small">{period.toLowerCase()}</span>
          </header>
          <dl>
            <Fact label="Made">{formatCount(attempts)}</Fact>
            <Fact label="Succeeded" hint="Share of attempts answered 2xx">
              {attempts > 0 ? formatPercent((succeeded / attempts) * 100) : '—'}
            </Fact>
            <Fact label="Latest p95" hint="Attempt duration">
              {formatDuration(latest?.p95Ms)}
            </Fact>
          </dl>
        </section>
      </div>

      <section className="stack" aria-labelledby="activity-title">
        <div className="section-head">
          <h2 id="activity-title" className="section-title">
            Activity
          </h2>
          <span className="spacer" />
          <div className="segmented" role="group" aria-label="Time window">
            {Object.entries(activityWindows).map(([key, { label: name }]) => (
              <button
                key={key}
                type="button"
                aria-pressed={key === range}
                title={name}
                onClick={() => {
                  const next = new URLSearchParams(params);
                  if (key === '1h') next.delete('window');
                  else next.set('window', key);
                  setParams(next, { replace: true });
                }}
              >
                {key}
              </button>
            ))}
          </div>
        </div>
        <Suspense fallback={<Loading label="Loading charts…" rows={3} />}>
          <HealthCharts points={points} unit={bucketUnit(endpoint.activity.bucketSeconds)} label={label} />
        </Suspense>
      </section>

      <div className="health-grid">
        <ErrorGroupsCard errors={endpoint.activity.errors} period={period} />
        <EndpointSettingsCard endpoint={endpoint} />
      </div>

      <DeadLettersCard deadLetters={result.data.deadLetters} />

      <ReplayDialog
        open={replaying}
        onClose={() => setReplaying(false)}
        endpoint={endpoint}
        errorKinds={endpoint.activity.errors}
      />
      <EndpointFormDialog
        mailboxId={endpoint.mailbox.id}
        endpoint={editing}
        open={editing !== null}
        onClose={() => setEditing(null)}
      />
    </div>
  );
}
