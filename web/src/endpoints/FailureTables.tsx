/**
 * What went wrong at an endpoint: its failed attempts grouped by kind over the chart's
 * window, and its dead letters (deliveries that ran out of attempts), newest first, paged.
 */
import { CircleCheck } from 'lucide-react';
import { Link } from 'react-router';
import type { EndpointHealthQuery } from '../generated/graphql.ts';
import { formatCount } from '../ui/format.ts';
import { Pager } from '../ui/Pager.tsx';
import { RelativeTime } from '../ui/RelativeTime.tsx';

type Data = EndpointHealthQuery;
type ErrorGroup = NonNullable<Data['endpoint']>['activity']['errors'][number];

export function ErrorGroupsCard({ errors, period }: { errors: ErrorGroup[]; period: string }) {
  return (
    <section className="card" aria-labelledby="errors-title">
      <header className="card-header">
        <h2 id="errors-title">Failures by kind</h2>
        <span className="muted small">{period}, most frequent first</span>
      </header>
      {errors.length === 0 ? (
        <p className="all-good card-pad">
          <CircleCheck aria-hidden size={16} /> No failed attempts in the {period.toLowerCase()}.
        </p>
      ) : (
        <div className="table-wrap flush">
          <table className="table error-groups-table">
            <thead>
              <tr>
                <th>Kind</th>
                <th className="cell-num">Attempts</th>
                <th>Last</th>
                <th>What it said</th>
              </tr>
            </thead>
            <tbody>
              {errors.map((group) => (
                <tr key={group.kind} data-error-kind={group.kind}>
                  <td>
                    <span className="error-kind">{group.kind}</span>
                    {group.lastStatusCode ? <span className="code code-bad"> {group.lastStatusCode}</span> : null}
                  </td>
                  <td className="cell-num">{formatCount(group.count)}</td>
                  <td>
                    <RelativeTime iso={group.lastAt} />
                  </td>
                  <td className="cell-error" title={group.lastMessage ?? undefined}>
                    {group.lastMessage ?? <span className="muted">—</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function DeadLettersCard({ deadLetters }: { deadLetters: Data['deadLetters'] }) {
  const rows = deadLetters.edges.map((edge) => edge.node);
  return (
    <section className="card" aria-labelledby="dead-letters-title">
      <header className="card-header">
        <h2 id="dead-letters-title">Failed deliveries</h2>
        <span className="muted small">ran out of attempts, newest first; replay them from the top of the page</span>
      </header>
      {rows.length === 0 ? (
        <p className="all-good card-pad">
          <CircleCheck aria-hidden size={16} /> No failed deliveries: every delivery to this endpoint was delivered, is
          under way, or was cancelled.
        </p>
      ) : (
        <div className="table-wrap flush">
          <table className="table dead-letters-table">
            <thead>
              <tr>
                <th>Event</th>
                <th>Type</th>
                <th>Failed</th>
                <th className="cell-num">Attempts</th>
                <th>Last answer</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((delivery) => (
                <tr key={delivery.id} data-dead-letter={delivery.id}>
                  <td>
                    {/* Whole: events failing together share their first digits (the time). */}
                    <Link to={`/events/${delivery.event.trackingNumber}`} className="mono">
                      {delivery.event.trackingNumber}
                    </Link>
                  </td>
                  <td className="mono">{delivery.event.eventType ?? <span className="muted">—</span>}</td>
                  <td>
                    <RelativeTime iso={delivery.updatedAt} />
                  </td>
                  <td className="cell-num">{delivery.attemptCount}</td>
                  <td
                    className="cell-error"
                    title={delivery.lastAttempt?.errorMessage ?? delivery.statusReason ?? undefined}
                  >
                    {delivery.lastStatusCode ? (
                      <span className="code code-bad">HTTP {delivery.lastStatusCode}</span>
                    ) : null}{' '}
                    {delivery.lastAttempt?.errorMessage ?? delivery.statusReason ?? ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager pageInfo={deadLetters.pageInfo} label="Pages of failed deliveries" />
    </section>
  );
}
