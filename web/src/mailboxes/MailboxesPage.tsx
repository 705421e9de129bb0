/**
 * Mailboxes: every producer, its endpoints and how their deliveries went in the last
 * hour, fifty to a page, read again (throttled) as events and attempts happen.
 */
import { Inbox, Plus } from 'lucide-react';
import { useMemo } from 'react';
import { Link, useSearchParams } from 'react-router';
import { DeliveriesPulse, EventsPulse } from '../graphql/pulses.ts';
import { liveSource } from '../live/liveSource.ts';
import { useLiveQuery } from '../live/useLiveQuery.ts';
import { useRoleBlock } from '../session/SessionContext.tsx';
import { Pager, usePageVariables } from '../ui/Pager.tsx';
import { usePageTitle } from '../ui/usePageTitle.ts';
import { RelativeTime } from '../ui/RelativeTime.tsx';
import { EmptyState, ErrorState, Loading } from '../ui/States.tsx';
import { CreateMailboxDialog } from './CreateMailboxDialog.tsx';
import { healthText, sumHealth } from './health.ts';
import { HealthBadge } from './HealthBadge.tsx';
import { MailboxesQuery } from './mailboxDocuments.ts';

const live = [liveSource(EventsPulse, {}), liveSource(DeliveriesPulse, {})];
// Creating a mailbox elsewhere in the dashboard lists it here at once.
const context = { additionalTypenames: ['Mailbox', 'Endpoint'] };

export function MailboxesPage() {
  usePageTitle('Mailboxes');
  const page = usePageVariables();
  const result = useLiveQuery({ query: MailboxesQuery, variables: page, context, live, refetchEveryMs: 5_000 });
  const [params, setParams] = useSearchParams();
  const creating = params.get('new') === '1';
  const block = useRoleBlock('operator');
  const setCreating = (on: boolean) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (on) next.set('new', '1');
        else next.delete('new');
        return next;
      },
      { replace: true },
    );

  const healthByEndpoint = useMemo(
    () => new Map((result.data?.stats.endpoints ?? []).map((health) => [health.endpoint.id, health])),
    [result.data],
  );
  const mailboxes = result.data?.mailboxes.edges.map((edge) => edge.node) ?? [];

  const newButton = (
    <span title={block ?? undefined}>
      <button
        type="button"
        className="button button-primary"
        onClick={() => setCreating(true)}
        disabled={block !== null}
      >
        <Plus aria-hidden size={16} />
        New mailbox
      </button>
    </span>
  );

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Mailboxes</h1>
          <p className="page-sub">
            Each mailbox is a service that sends events, with the endpoints they are delivered to.
          </p>
        </div>
        <div className="page-actions">{newButton}</div>
      </header>
      {block ? <p className="muted small">{block}</p> : null}
      {result.error && !result.data ? (
        <ErrorState title="Could not load mailboxes" error={result.error} onRetry={result.refetch} />
      ) : !result.data ? (
        <Loading rows={4} />
      ) : mailboxes.length === 0 ? (
        <EmptyState icon={Inbox} title="No mailboxes yet" action={newButton}>
          Create a mailbox for each service that sends events. You get an API key for it, and the command to send a
          first event.
        </EmptyState>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table mailboxes-table">
              <thead>
                <tr>
                  <th>Mailbox</th>
                  <th>Endpoints</th>
                  <th>Health (1 h)</th>
                  <th>Deliveries (1 h)</th>
                  <th>Created</th>
                </tr>
              </thead>
              <tbody>
                {mailboxes.map((mailbox) => {
                  const endpoints = mailbox.endpoints.edges.map((edge) => edge.node);
                  const health = sumHealth(
                    endpoints.map(
                      (endpoint) =>
                        healthByEndpoint.get(endpoint.id) ?? {
                          attempts: 0,
                          succeeded: 0,
                          failed: 0,
                          failedDeliveries: 0,
                        },
                    ),
                  );
                  return (
                    <tr key={mailbox.id} data-mailbox={mailbox.name}>
                      <td>
                        <Link to={`/mailboxes/${mailbox.id}`} className="strong">
                          {mailbox.name}
                        </Link>
                        <div className="mono muted small">{mailbox.id}</div>
                      </td>
                      <td className="cell-endpoints">
                        {endpoints.length === 0 ? (
                          <span className="muted">none yet</span>
                        ) : (
                          <span className="endpoint-list" title={endpoints.map((e) => e.url).join('\n')}>
                            <span className="truncate mono small">{endpoints[0]!.url}</span>
                            {endpoints.length > 1 ? <span className="more">+{endpoints.length - 1}</span> : null}
                            {endpoints.some((e) => !e.enabled) ? (
                              <span className="pill">{endpoints.filter((e) => !e.enabled).length} disabled</span>
                            ) : null}
                          </span>
                        )}
                      </td>
                      <td>
                        <HealthBadge counts={health} />
                      </td>
                      <td className="muted small">{healthText(health)}</td>
                      <td>
                        <RelativeTime iso={mailbox.createdAt} />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <Pager pageInfo={result.data.mailboxes.pageInfo} label="Pages of mailboxes" />
        </>
      )}
      <CreateMailboxDialog open={creating} onClose={() => setCreating(false)} />
    </div>
  );
}
