/**
 * Overview: how a time window went (the last hour unless the URL says `?range=24h`).
 * Events, deliveries and attempts each get their own group of numbers, because they
 * count different things (one event fans out to several deliveries, each with several
 * attempts). Then three charts, and the endpoints that fail the most, where on-call eyes
 * go first. Pushes make it read the statistics again (throttled), so it moves with the
 * traffic without polling.
 */
import { Inbox, PartyPopper } from 'lucide-react';
import { lazy, Suspense, useCallback, useMemo, useRef } from 'react';
import { Link, useSearchParams } from 'react-router';
import type { OverviewQuery as OverviewData } from '../generated/graphql.ts';
import { DeliveriesPulse, EventsPulse } from '../graphql/pulses.ts';
import { liveSource } from '../live/liveSource.ts';
import { useLiveQuery } from '../live/useLiveQuery.ts';
import { formatCount, formatDuration } from '../ui/format.ts';
import { RelativeTime } from '../ui/RelativeTime.tsx';
import { SendEventSnippet } from '../ui/SendEventSnippet.tsx';
import { EmptyState, ErrorState, Loading } from '../ui/States.tsx';
import { useClockText } from '../ui/useNow.ts';
import { usePageTitle } from '../ui/usePageTitle.ts';
import { OverviewQuery } from './overviewDocuments.ts';
import { bucketActivity, bucketAttempts, bucketMinutes, overviewRanges, rangeOf } from './overviewRange.ts';

const Charts = lazy(() => import('./charts.tsx').then((module) => ({ default: module.OverviewCharts })));

const live = [liveSource(EventsPulse, {}), liveSource(DeliveriesPulse, {})];

function Figure({ label, value, tone, hint }: { label: string; value: string; tone?: 'ok' | 'bad'; hint?: string }) {
  return (
    <div className={`figure${tone ? ` figure-${tone}` : ''}`} title={hint}>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

function StatGroup({
  id,
  title,
  note,
  children,
}: {
  id: string;
  title: string;
  note: string;
  children: React.ReactNode;
}) {
  return (
    <section className="stat-group" aria-labelledby={`${id}-title`} data-stat-group={id}>
      <header>
        <h2 id={`${id}-title`}>{title}</h2>
        <span className="muted small">{note}</span>
      </header>
      <dl>{children}</dl>
    </section>
  );
}

export function OverviewPage() {
  const [params, setParams] = useSearchParams();
  const range = rangeOf(params.get('range'));
  const window = overviewRanges[range];
  usePageTitle('Overview');
  // The window slides minute by minute; the last hour is the server's default window.
  const minute = useClockText(useCallback((now: number) => String(Math.floor(now / 60_000) * 60_000), []));
  const variables = useMemo(
    () => (range === '1h' ? {} : { from: new Date(Number(minute) - window.ms).toISOString() }),
    [range, minute, window.ms],
  );
  const result = useLiveQuery({ query: OverviewQuery, variables, live, refetchEveryMs: 4_000 });
  // While a new window loads, the previous numbers stay instead of a blank page.
  const lastData = useRef<OverviewData | undefined>(undefined);
  if (result.data) lastData.current = result.data;
  const data = result.data ?? lastData.current;
  const stats = data?.stats;

  const charts = useMemo(() => {
    if (!stats) return null;
    return {
      attempts: bucketAttempts(stats.attemptsPerMinute),
      activity: bucketActivity(stats.activityPerMinute),
      bucketMinutes: bucketMinutes(stats.activityPerMinute.length),
    };
  }, [stats]);

  if (result.error && !stats)
    return <ErrorState title="Could not load the overview" error={result.error} onRetry={result.refetch} />;
  if (!stats || !charts) return <Loading label="Loading the overview…" rows={6} />;

  const firstMailbox = data?.mailboxes.edges[0]?.node;
  const count = (list: { status: string; count: number }[], ...statuses: string[]) =>
    list.filter((item) => statuses.includes(item.status)).reduce((sum, item) => sum + item.count, 0);
  const received = stats.events.reduce((sum, item) => sum + item.count, 0);
  const deliveries = stats.deliveries.reduce((sum, item) => sum + item.count, 0);
  const failedDeliveries = count(stats.deliveries, 'failed');
  const successRate =
    stats.attempts.attempts > 0 ? `${((stats.attempts.succeeded / stats.attempts.attempts) * 100).toFixed(1)}%` : '—';
  const failing = stats.endpoints.filter((health) => health.failedDeliveries > 0 || health.failed > 0);
  const period = window.label.toLowerCase();

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Overview</h1>
          <p className="page-sub">How deliveries went in the {period}, updated as events and attempts happen.</p>
        </div>
        <div className="segmented" role="group" aria-label="Time range">
          {Object.entries(overviewRanges).map(([key, { label }]) => (
            <button
              key={key}
              type="button"
              aria-pressed={key === range}
              title={label}
              onClick={() => setParams(key === '1h' ? {} : { range: key }, { replace: true })}
            >
              {key}
            </button>
          ))}
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

      <div className="stat-groups">
        <StatGroup id="events" title="Events" note="accepted from producers">
          <Figure label="Received" value={formatCount(received)} />
          <Figure label="Delivered" value={formatCount(count(stats.events, 'delivered'))} tone="ok" />
          <Figure
            label="Failed"
            value={formatCount(count(stats.events, 'failed'))}
            tone={count(stats.events, 'failed') > 0 ? 'bad' : undefined}
          />
          <Figure label="In progress" value={formatCount(count(stats.events, 'queued', 'delivering'))} />
          <Figure
            label="Unrouted"
            value={formatCount(count(stats.events, 'unrouted'))}
            hint="No endpoint of the mailbox accepts their event type"
          />
        </StatGroup>
        <StatGroup id="deliveries" title="Deliveries" note="one per event and endpoint">
          <Figure label="In all" value={formatCount(deliveries)} />
          <Figure label="Delivered" value={formatCount(count(stats.deliveries, 'delivered'))} tone="ok" />
          <Figure
            label="Failed"
            value={formatCount(failedDeliveries)}
            tone={failedDeliveries > 0 ? 'bad' : undefined}
          />
          <Figure label="Latency p50" value={formatDuration(stats.latency.p50Ms)} hint="From receipt to delivered" />
          <Figure label="Latency p95" value={formatDuration(stats.latency.p95Ms)} hint="From receipt to delivered" />
        </StatGroup>
        <StatGroup id="attempts" title="Attempts" note="HTTP requests to endpoints">
          <Figure label="Made" value={formatCount(stats.attempts.attempts)} />
          <Figure label="Succeeded" value={successRate} tone="ok" hint="Share of attempts answered 2xx" />
          <Figure
            label="Failed"
            value={formatCount(stats.attempts.failed)}
            tone={stats.attempts.failed > 0 ? 'bad' : undefined}
          />
        </StatGroup>
      </div>

      {firstMailbox && received === 0 ? (
        <div className="card hint-card">
          <p>
            No events in the {period}. Send one to <strong>{firstMailbox.name}</strong> and watch it land:
          </p>
          <SendEventSnippet mailboxId={firstMailbox.id} />
        </div>
      ) : null}

      <Suspense fallback={<Loading label="Loading charts…" rows={3} />}>
        <Charts
          attempts={charts.attempts}
          activity={charts.activity}
          bucketMinutes={charts.bucketMinutes}
          withDay={range === '7d' || range === '24h'}
        />
      </Suspense>

      <section className="card" aria-labelledby="failing-title">
        <header className="card-header">
          <h2 id="failing-title">Endpoints by failures</h2>
          <span className="muted small">{period}, failing first</span>
        </header>
        {stats.endpoints.length === 0 ? (
          <p className="muted card-pad">No attempts in the {period}.</p>
        ) : (
          <>
            {failing.length === 0 ? (
              <p className="all-good card-pad">
                <PartyPopper aria-hidden size={16} /> Every endpoint answered 2xx in the {period}.
              </p>
            ) : null}
            <div className="table-wrap flush">
              <table className="table endpoints-health-table">
                <thead>
                  <tr>
                    <th className="col-endpoint">Endpoint</th>
                    <th className="col-failed cell-num">Failed deliveries</th>
                    <th className="col-attempts cell-num">Failed attempts</th>
                    <th className="col-error">Last error</th>
                    <th className="col-when">Last attempt</th>
                  </tr>
                </thead>
                <tbody>
                  {stats.endpoints.map((health) => (
                    <tr key={health.endpoint.id} className={health.failedDeliveries > 0 ? 'row-bad' : undefined}>
                      <td className="col-endpoint">
                        <Link
                          to={`/events?endpoint=${health.endpoint.id}&status=failed`}
                          className="mono truncate block"
                          title={health.endpoint.url}
                        >
                          {health.endpoint.url}
                        </Link>
                        <span className="muted small truncate block">
                          <Link to={`/mailboxes/${health.endpoint.mailbox.id}`} title={health.endpoint.mailbox.name}>
                            {health.endpoint.mailbox.name}
                          </Link>
                          {!health.endpoint.enabled ? <span className="pill">disabled</span> : null}
                        </span>
                      </td>
                      <td className="col-failed cell-num">
                        <span className={health.failedDeliveries > 0 ? 'text-bad strong' : 'muted'}>
                          {formatCount(health.failedDeliveries)}
                        </span>
                      </td>
                      <td className="col-attempts cell-num">
                        {formatCount(health.failed)} <span className="muted">/ {formatCount(health.attempts)}</span>
                      </td>
                      <td className="col-error cell-error" title={health.lastError ?? undefined}>
                        {health.lastError ?? <span className="muted">—</span>}
                      </td>
                      <td className="col-when">
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
