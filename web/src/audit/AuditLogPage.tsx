/**
 * The audit log (admins only): every management action, newest first, with who did it,
 * to what, and what changed, in words. Filters and the page are in the URL.
 */
import { ScrollText } from 'lucide-react';
import { useMemo } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useQuery } from 'urql';
import { AdminsOnly } from '../session/AdminsOnly.tsx';
import { useSession } from '../session/SessionContext.tsx';
import { Pager, usePageVariables } from '../ui/Pager.tsx';
import { RelativeTime } from '../ui/RelativeTime.tsx';
import { EmptyState, ErrorState, Loading } from '../ui/States.tsx';
import { usePageTitle } from '../ui/usePageTitle.ts';
import { AuditLogQuery } from './auditDocuments.ts';
import {
  auditFilterFromParams,
  auditFilterToParams,
  auditFilterVariables,
  isAuditFiltered,
  type AuditFilterState,
} from './auditFilterParams.ts';
import { AuditFilters } from './AuditFilters.tsx';
import { actionLabel, auditTargetTypes, describeAuditEntry, parseSummary } from './auditWording.ts';

// A token made or revoked elsewhere in the dashboard shows here at once.
const context = { additionalTypenames: ['AuditEntry', 'AccessToken'] };

export function AuditLogPage() {
  const { can } = useSession();
  if (!can('admin'))
    return <AdminsOnly title="Audit log" what="The audit log, who changed what and when, is for admins." />;
  return <AuditLog />;
}

/** Where the target of an entry is shown in the dashboard, when it is. */
function targetLink(type: string, id: string, summary: Record<string, unknown>): string | null {
  if (type === 'mailbox') return `/mailboxes/${id}`;
  if (type === 'access_token') return '/access-tokens?revoked=1';
  if (type === 'event') return `/events/${id}`;
  if (type === 'delivery' && typeof summary.eventId === 'string') return `/events/${summary.eventId}`;
  if ((type === 'endpoint' || type === 'api_key') && typeof summary.mailboxId === 'string')
    return `/mailboxes/${summary.mailboxId}`;
  return null;
}

function AuditLog() {
  usePageTitle('Audit log');
  const [params, setParams] = useSearchParams();
  const state = useMemo(() => auditFilterFromParams(params), [params]);
  // A preset range counts back from when it was chosen (or the page opened), not from every render.
  const filter = useMemo(() => auditFilterVariables(state, Date.now()), [state]);
  const page = usePageVariables();
  const [result, refetch] = useQuery({
    query: AuditLogQuery,
    variables: { filter, ...page },
    context,
    requestPolicy: 'cache-and-network',
  });
  const setFilter = (next: AuditFilterState) => setParams((current) => auditFilterToParams(next, current));
  const entries = result.data?.auditLog.edges.map((edge) => edge.node) ?? [];

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Audit log</h1>
          <p className="page-sub">
            Every change made to Hookpost, who made it and when. Secret values are never recorded.
          </p>
        </div>
      </header>
      <AuditFilters state={state} onChange={setFilter} />
      {result.error && !result.data ? (
        <ErrorState
          title="Could not load the audit log"
          error={result.error}
          onRetry={() => refetch({ requestPolicy: 'network-only' })}
        />
      ) : !result.data ? (
        <Loading rows={6} />
      ) : entries.length === 0 ? (
        <EmptyState icon={ScrollText} title={isAuditFiltered(state) ? 'No entries match' : 'Nothing recorded yet'}>
          {isAuditFiltered(state)
            ? 'Nothing was done that matches these filters. Widen the time range or clear a filter.'
            : 'Changes to tokens, mailboxes, keys, endpoints, retries and sign-ins will be listed here.'}
        </EmptyState>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table audit-table">
              <thead>
                <tr>
                  <th>When</th>
                  <th>Who</th>
                  <th>What</th>
                  <th>Target</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((entry) => {
                  const summary = parseSummary(entry.summary);
                  const link = entry.targetId ? targetLink(entry.targetType, entry.targetId, summary) : null;
                  const refused = entry.action === 'session.sign_in_refused';
                  return (
                    <tr key={entry.id} data-audit-action={entry.action}>
                      <td className="nowrap">
                        <RelativeTime iso={entry.at} />
                      </td>
                      <td>
                        {entry.actorTokenId ? (
                          <Link to={`?${auditFilterToParams({ ...state, actor: entry.actorTokenId }, params)}`}>
                            {entry.actorName}
                          </Link>
                        ) : (
                          <span className="muted">{entry.actorName}</span>
                        )}
                      </td>
                      <td>
                        <span className={refused ? 'pill pill-warn' : 'pill'}>{actionLabel(entry.action)}</span>
                        <div className="audit-summary">{describeAuditEntry(entry.action, summary)}</div>
                      </td>
                      <td>
                        <div className="small">{auditTargetTypes[entry.targetType] ?? entry.targetType}</div>
                        {entry.targetId ? (
                          link ? (
                            <Link to={link} className="mono small" title={entry.targetId}>
                              {entry.targetId.slice(0, 13)}…
                            </Link>
                          ) : (
                            <span className="mono small muted" title={entry.targetId}>
                              {entry.targetId.slice(0, 13)}…
                            </span>
                          )
                        ) : null}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <Pager pageInfo={result.data.auditLog.pageInfo} label="Pages of the audit log" />
        </>
      )}
    </div>
  );
}
