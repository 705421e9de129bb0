/**
 * Overview: how the last hour went. Counters, three charts, and the endpoints that fail
 * the most at the top, where on-call eyes go first. It reads the statistics again when
 * something is pushed (throttled), so it moves with the traffic without polling.
 */
import { Activity, CircleCheck, CircleX, Gauge, Inbox, PartyPopper } from 'lucide-react';
import { lazy, Suspense } from 'react';
import { Link } from 'react-router';
import { useQuery } from 'urql';
import { formatCount, formatDuration } from '../ui/format.ts';
import { RelativeTime } from '../ui/RelativeTime.tsx';
import { SendEventSnippet } from '../ui/SendEventSnippet.tsx';
import { EmptyState, ErrorState, Loading } from '../ui/States.tsx';
import { OverviewDeliveriesPulse, OverviewEventsPulse, OverviewQuery } from './overviewDocuments.ts';
import { useRefetchOnPush } from './useRefetchOnPush.ts';

// Recharts is the largest dependency: it loads with the overview, not with the first page.
const Charts = lazy(() => import('./charts.tsx').then((module) => ({ default: module.OverviewCharts })));

function Stat({
  icon: Icon,
  label,
  value,
  detail,
  tone,
}: {
  icon: typeof Activity;
  label: string;
  value: string;
  detail?: string;
  tone?: 'ok' | 'bad' | 'accent' | 'warn';
}) {
  return (
    <div className={`stat stat-${tone ?? 'plain'}`}>
      <div className="stat-label">
        <Icon aria-hidden size={15} />
        {label}
      </div>
      <div className="stat-value">{value}</div>
      {detail ? <div className="stat-detail">{detail}</div> : null}
    </div>
  );
}

export function OverviewPage() {
  const [result, reexecute] = useQuery({ query: OverviewQuery });
  useRefetchOnPush([OverviewEventsPulse, OverviewDeliveriesPulse], () => reexecute({ requestPolicy: 'network-only' }));
  const stats = result.data?.stats;

  if (result.error && !stats)
    return (
      <ErrorState
        title="Could not load the overview"
        error={result.error}
        onRetry={() => reexecute({ requestPolicy: 'network-only' })}
      />
    );
  if (!stats) return <Loading label="Loading the last hour…" rows={6} />;

  const firstMailbox = result.data?.mailboxes.edges[0]?.node;
  const count = (list: { status: string; count: number }[], status: string) =>
    list.find((item) => item.status === status)?.count ?? 0;
  const received = stats.events.reduce((sum, item) => sum + item.count, 0);
  const delivered = count(stats.deliveries, 'delivered');
  const failed = count(stats.deliveries, 'failed');
  const pending = count(stats.deliveries, 'queued') + count(stats.deliveries, 'delivering');
  const successRate = stats.attempts.attempts > 0 ? (stats.attempts.succeeded / stats.attempts.attempts) * 100 : null;
  const failing = stats.endpoints.filter((health) => health.failedDeliveries > 0 || health.failed > 0);

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Overview</h1>
          <p className="page-sub">The last hour, updated as events and attempts happen.</p>
        </div>
      </header>

      {!firstMailbox ? (
        <EmptyState
          icon={Inbox}
          title="Welcome to Hookpost"
          action={
            <Link className="button button-primary" to="/mailboxes?new=1">
              Create your first mailbox
            </Link>
          }
        >
          <ol className="steps">
            <li>Create a mailbox for a service that sends events, with the URL its events go to.</li>
            <li>Send an event with the mailbox's API key (the command is shown when you create it).</li>
            <li>Watch it arrive and get delivered here, live.</li>
          </ol>
        </EmptyState>
      ) : null}

      <div className="stats">
        <Stat
          icon={Activity}
          label="Events received"
          value={formatCount(received)}
          detail={pending > 0 ? `${formatCount(pending)} deliveries in progress` : 'last hour'}
          tone="accent"
        />
        <Stat
          icon={CircleCheck}
          label="Delivered"
          value={formatCount(delivered)}
          detail={
            successRate === null
              ? 'deliveries · no attempts yet'
              : `deliveries · ${successRate.toFixed(1)}% of attempts succeeded`
          }
          tone="ok"
        />
        <Stat
          icon={CircleX}
          label="Failed deliveries"
          value={formatCount(failed)}
          detail={`${formatCount(stats.attempts.failed)} failed attempts`}
          tone={failed > 0 ? 'bad' : undefined}
        />
        <Stat
          icon={Gauge}
          label="Delivery latency"
          value={stats.latency.p50Ms === null ? '—' : formatDuration(stats.latency.p50Ms)}
          detail={
            stats.latency.p95Ms === null
              ? 'p50 · nothing delivered yet'
              : `p50 · p95 ${formatDuration(stats.latency.p95Ms)}`
          }
          tone="warn"
        />
      </div>

      {firstMailbox && received === 0 ? (
        <div className="card hint-card">
          <p>
            No events in the last hour. Send one to <strong>{firstMailbox.name}</strong> and watch it land:
          </p>
          <SendEventSnippet mailboxId={firstMailbox.id} />
        </div>
      ) : null}

      <Suspense fallback={<Loading label="Loading charts…" rows={3} />}>
        <Charts attemptsPerMinute={stats.attemptsPerMinute} activityPerMinute={stats.activityPerMinute} />
      </Suspense>

      <section className="card" aria-labelledby="failing-title">
        <header className="card-header">
          <h2 id="failing-title">Endpoints by failures</h2>
          <span className="muted small">last hour, failing first</span>
        </header>
        {stats.endpoints.length === 0 ? (
          <p className="muted card-pad">No attempts in the last hour.</p>
        ) : (
          <>
            {failing.length === 0 ? (
              <p className="all-good card-pad">
                <PartyPopper aria-hidden size={16} /> Every endpoint answered 2xx in the last hour.
              </p>
            ) : null}
            <div className="table-wrap flush">
              <table className="table">
                <thead>
                  <tr>
                    <th>Endpoint</th>
                    <th>Mailbox</th>
                    <th className="cell-num">Failed deliveries</th>
                    <th className="cell-num">Failed attempts</th>
                    <th>Last error</th>
                    <th>Last attempt</th>
                  </tr>
                </thead>
                <tbody>
                  {stats.endpoints.map((health) => (
                    <tr key={health.endpoint.id} className={health.failedDeliveries > 0 ? 'row-bad' : undefined}>
                      <td className="cell-url">
                        <Link
                          to={`/events?endpoint=${health.endpoint.id}&status=failed`}
                          className="mono truncate"
                          title={health.endpoint.url}
                        >
                          {health.endpoint.url}
                        </Link>
                        {!health.endpoint.enabled ? <span className="pill">disabled</span> : null}
                      </td>
                      <td>
                        <Link to={`/mailboxes/${health.endpoint.mailbox.id}`}>{health.endpoint.mailbox.name}</Link>
                      </td>
                      <td className="cell-num">
                        <span className={health.failedDeliveries > 0 ? 'text-bad strong' : 'muted'}>
                          {formatCount(health.failedDeliveries)}
                        </span>
                      </td>
                      <td className="cell-num">
                        {formatCount(health.failed)} <span className="muted">/ {formatCount(health.attempts)}</span>
                      </td>
                      <td className="cell-error" title={health.lastError ?? undefined}>
                        {health.lastError ?? <span className="muted">—</span>}
                      </td>
                      <td>
                        <RelativeTime iso={health.lastAttemptAt} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </section>
    </div>
  );
}
