/**
 * The alerts feed: Hookpost's own operational events (circuits opening and closing,
 * endpoints disabled and enabled, deliveries that ran out of attempts, finished replays),
 * which are ordinary events of the system mailbox, newest first, read again as new ones
 * arrive. And how to get them as webhooks: give the system mailbox an endpoint.
 */
import { BellOff } from 'lucide-react';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { EventsPulse } from '../graphql/pulses.ts';
import { liveSource } from '../live/liveSource.ts';
import { useLiveQuery } from '../live/useLiveQuery.ts';
import { formatExact, shortId } from '../ui/format.ts';
import { Pager, usePageVariables } from '../ui/Pager.tsx';
import { RelativeTime } from '../ui/RelativeTime.tsx';
import { EmptyState, ErrorState, Loading } from '../ui/States.tsx';
import { usePageTitle } from '../ui/usePageTitle.ts';
import { AlertsQuery } from './alertDocuments.ts';
import { summarizeAlert } from './alertSummary.ts';

export function AlertsPage() {
  usePageTitle('Alerts');
  const page = usePageVariables();
  const [mailboxId, setMailboxId] = useState<string | null>(null);
  const live = useMemo(() => (mailboxId ? [liveSource(EventsPulse, { mailboxId })] : []), [mailboxId]);
  const result = useLiveQuery({ query: AlertsQuery, variables: page, live, refetchEveryMs: 1_000 });
  const mailbox = result.data?.systemMailbox;
  if (mailbox && mailbox.id !== mailboxId) setMailboxId(mailbox.id);

  if (result.error && !mailbox)
    return <ErrorState title="Could not load the alerts" error={result.error} onRetry={result.refetch} />;
  if (!mailbox) return <Loading label="Loading the alerts…" rows={6} />;

  const alerts = mailbox.events.edges.map((edge) => edge.node);
  const receivers = mailbox.endpoints.totalCount;
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Alerts</h1>
          <p className="page-sub">
            Hookpost's own events: circuits opening and closing, endpoints disabled and enabled, deliveries that ran out
            of attempts, finished replays. Newest first, as they happen.
          </p>
        </div>
      </header>

      <div className="card hint-card" data-testid="alerts-webhook-hint">
        <p>
          <strong>Get them as webhooks.</strong> They are events of the{' '}
          <Link to={`/mailboxes/${mailbox.id}`}>{mailbox.name}</Link> mailbox: add an endpoint to it and they are
          delivered there, signed, with retries, like any event (an event-type filter such as{' '}
          <span className="mono">endpoint.*</span> picks some).{' '}
          {receivers === 0
            ? 'No endpoint receives them yet.'
            : `${receivers} endpoint${receivers === 1 ? ' receives' : 's receive'} them.`}
        </p>
      </div>

      {alerts.length === 0 ? (
        <EmptyState icon={BellOff} title="No alerts yet">
          When an endpoint's circuit opens, an endpoint is disabled or a delivery runs out of attempts, it is listed
          here.
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table alerts-table">
            <thead>
              <tr>
                <th>When</th>
                <th>Alert</th>
                <th>What happened</th>
                <th>Event</th>
              </tr>
            </thead>
            <tbody>
              {alerts.map((alert) => {
                const summary = summarizeAlert(alert.eventType, alert.bodyEncoding === 'utf8' ? alert.body : '');
                return (
                  <tr key={alert.id} data-alert={alert.eventType ?? ''}>
                    <td>
                      <RelativeTime iso={alert.receivedAt} />
                    </td>
                    <td>
                      <span className={`alert-type ${summary.bad ? 'alert-bad' : 'alert-good'}`}>{summary.title}</span>
                      <span className="mono muted small block">{alert.eventType}</span>
                    </td>
                    <td className="alert-what">
                      {summary.url ? (
                        <Link
                          to={`/endpoints/${summary.endpointId}`}
                          className="mono truncate block"
                          title={summary.url}
                        >
                          {summary.url}
                        </Link>
                      ) : null}
                      {summary.detail ? <span className="alert-detail">{summary.detail}</span> : null}
                      {/* delivery.exhausted names ids only: link them in words. */}
                      {!summary.url && (summary.endpointId || summary.eventId) ? (
                        <span className="alert-links small">
                          {summary.eventId ? <Link to={`/events/${summary.eventId}`}>The failed event</Link> : null}
                          {summary.endpointId ? (
                            <Link to={`/endpoints/${summary.endpointId}`}>Its endpoint's health</Link>
                          ) : null}
                        </span>
                      ) : null}
                    </td>
                    <td>
                      <Link
                        to={`/events/${alert.trackingNumber}`}
                        className="mono"
                        title={`${alert.trackingNumber}, ${formatExact(alert.receivedAt)}`}
                      >
                        {shortId(alert.trackingNumber)}
                      </Link>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <Pager pageInfo={mailbox.events.pageInfo} label="Pages of alerts" />
    </div>
  );
}
