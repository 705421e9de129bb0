/**
 * One mailbox: how to send to it, its API keys, and its endpoints (fifty to a page) with
 * their health and actions, read again (throttled) as its events and attempts happen.
 */
import { ChevronLeft, Pencil, Plus, SearchX, Trash2, Waypoints } from 'lucide-react';
import { useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import type { EndpointFieldsFragment } from '../generated/graphql.ts';
import { DeliveriesPulse, EventsPulse } from '../graphql/pulses.ts';
import { useMutationAction } from '../graphql/useMutationAction.ts';
import { liveSource } from '../live/liveSource.ts';
import { useLiveQuery } from '../live/useLiveQuery.ts';
import { useRoleBlock } from '../session/SessionContext.tsx';
import { Pager, usePageVariables } from '../ui/Pager.tsx';
import { usePageTitle } from '../ui/usePageTitle.ts';
import { CopyButton } from '../ui/CopyButton.tsx';
import { Dialog } from '../ui/Dialog.tsx';
import { RelativeTime } from '../ui/RelativeTime.tsx';
import { SendEventSnippet } from '../ui/SendEventSnippet.tsx';
import { EmptyState, ErrorState, Loading } from '../ui/States.tsx';
import { ApiKeysSection } from './ApiKeysSection.tsx';
import { EndpointCard } from './EndpointCard.tsx';
import { EndpointFormDialog } from './EndpointFormDialog.tsx';
import { DeleteMailboxMutation, MailboxQuery, RenameMailboxMutation } from './mailboxDocuments.ts';

// Mutations that add the first key or endpoint must refetch a mailbox that had none.
const context = { additionalTypenames: ['Endpoint', 'ApiKey', 'Mailbox'] };
const noHealth = { attempts: 0, succeeded: 0, failed: 0, failedDeliveries: 0, lastError: null };

export function MailboxPage() {
  const { mailboxId = '' } = useParams();
  const page = usePageVariables();
  const live = useMemo(
    () => [liveSource(EventsPulse, { mailboxId }), liveSource(DeliveriesPulse, { mailboxId })],
    [mailboxId],
  );
  const result = useLiveQuery({
    query: MailboxQuery,
    variables: { id: mailboxId, ...page },
    context,
    live,
    refetchEveryMs: 5_000,
  });
  const block = useRoleBlock('operator');
  const navigate = useNavigate();
  const [editing, setEditing] = useState<EndpointFieldsFragment | null | 'new'>(null);
  const [renaming, setRenaming] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [, rename] = useMutationAction(RenameMailboxMutation);
  const [, remove] = useMutationAction(DeleteMailboxMutation);

  const mailbox = result.data?.mailbox;
  usePageTitle(mailbox ? `Mailbox ${mailbox.name}` : 'Mailbox');
  const healthById = useMemo(
    () => new Map((result.data?.stats.endpoints ?? []).map((health) => [health.endpoint.id, health])),
    [result.data],
  );

  if (result.error && !mailbox)
    return <ErrorState title="Could not load this mailbox" error={result.error} onRetry={result.refetch} />;
  if (!result.data) return <Loading rows={6} />;
  if (!mailbox) {
    return (
      <EmptyState
        icon={SearchX}
        title="No such mailbox"
        action={
          <Link className="button" to="/mailboxes">
            All mailboxes
          </Link>
        }
      >
        <span className="mono">{mailboxId}</span>
      </EmptyState>
    );
  }

  const endpoints = mailbox.endpoints.edges.map((edge) => edge.node);
  const keys = mailbox.apiKeys.edges.map((edge) => edge.node);
  const hasEvents = mailbox.events.edges.length > 0;
  const deleted = Boolean(mailbox.deletedAt);
  const actionBlock = block ?? (deleted ? 'This mailbox was deleted.' : null);

  return (
    <div className="page">
      <Link to="/mailboxes" className="back-link">
        <ChevronLeft aria-hidden size={16} />
        Mailboxes
      </Link>
      <header className="page-header">
        <div>
          <h1>
            {mailbox.name}
            {deleted ? <span className="pill pill-off">deleted</span> : null}
          </h1>
          <p className="page-sub">
            <span className="mono">{mailbox.id}</span> <CopyButton value={mailbox.id} label="Copy mailbox id" compact />{' '}
            · created <RelativeTime iso={mailbox.createdAt} />
          </p>
        </div>
        <div className="page-actions">
          <Link className="button" to={`/events?mailbox=${mailbox.id}`}>
            Its events
          </Link>
          <button
            type="button"
            className="button"
            disabled={actionBlock !== null}
            title={actionBlock ?? undefined}
            onClick={() => setRenaming(mailbox.name)}
          >
            <Pencil aria-hidden size={15} />
            Rename
          </button>
          <button
            type="button"
            className="button button-danger-ghost"
            disabled={actionBlock !== null}
            title={actionBlock ?? undefined}
            onClick={() => setConfirmDelete(true)}
          >
            <Trash2 aria-hidden size={15} />
            Delete
          </button>
        </div>
      </header>
      {block ? <p className="muted small">{block}</p> : null}

      {!hasEvents && !deleted ? (
        <div className="card hint-card">
          <p>
            <strong>No events yet.</strong> Your service sends them with one of this mailbox's API keys:
          </p>
          <SendEventSnippet mailboxId={mailbox.id} />
        </div>
      ) : null}

      <section aria-labelledby="endpoints-title" className="stack">
        <div className="section-head">
          <h2 id="endpoints-title" className="section-title">
            Endpoints
          </h2>
          <span className="spacer" />
          <button
            type="button"
            className="button button-primary button-small"
            disabled={actionBlock !== null}
            title={actionBlock ?? undefined}
            onClick={() => setEditing('new')}
          >
            <Plus aria-hidden size={14} />
            Add endpoint
          </button>
        </div>
        {mailbox.endpoints.totalCount > endpoints.length ? (
          <p className="muted small">{mailbox.endpoints.totalCount} endpoints, fifty to a page.</p>
        ) : null}
        {endpoints.length === 0 ? (
          <EmptyState icon={Waypoints} title="No endpoints">
            Events sent to this mailbox are stored but go nowhere until it has an endpoint. Add the URL that should
            receive them.
          </EmptyState>
        ) : (
          endpoints.map((endpoint) => {
            const health = healthById.get(endpoint.id) ?? noHealth;
            return (
              <EndpointCard
                key={endpoint.id}
                endpoint={endpoint}
                health={health}
                lastError={health.lastError ?? null}
                block={actionBlock}
                onEdit={() => setEditing(endpoint)}
              />
            );
          })
        )}
        <Pager pageInfo={mailbox.endpoints.pageInfo} label="Pages of endpoints" />
      </section>

      <ApiKeysSection mailboxId={mailbox.id} keys={keys} block={actionBlock} />

      <EndpointFormDialog
        mailboxId={mailbox.id}
        endpoint={editing === 'new' ? null : editing}
        open={editing !== null}
        onClose={() => setEditing(null)}
      />

      <Dialog open={renaming !== null} title="Rename mailbox" onClose={() => setRenaming(null)}>
        <form
          className="stack"
          onSubmit={(event) => {
            event.preventDefault();
            void rename({ id: mailbox.id, name: (renaming ?? '').trim() }).then((done) => done && setRenaming(null));
          }}
        >
          <label className="field">
            <span className="field-label">Name</span>
            <input
              value={renaming ?? ''}
              onChange={(event) => setRenaming(event.target.value)}
              maxLength={200}
              required
              autoFocus
            />
          </label>
          <div className="dialog-actions">
            <button type="button" className="button" onClick={() => setRenaming(null)}>
              Cancel
            </button>
            <button type="submit" className="button button-primary" disabled={!renaming?.trim()}>
              Save
            </button>
          </div>
        </form>
      </Dialog>

      <Dialog open={confirmDelete} title={`Delete “${mailbox.name}”?`} onClose={() => setConfirmDelete(false)}>
        <div className="stack">
          <p>
            Its API keys stop working and its endpoints stop receiving at once; waiting deliveries are cancelled. Its
            events and attempts stay readable.
          </p>
          <div className="dialog-actions">
            <button type="button" className="button" onClick={() => setConfirmDelete(false)}>
              Keep it
            </button>
            <button
              type="button"
              className="button button-danger"
              onClick={() =>
                void remove({ id: mailbox.id }, `Mailbox “${mailbox.name}” deleted.`).then(
                  (done) => done && navigate('/mailboxes'),
                )
              }
            >
              Delete mailbox
            </button>
          </div>
        </div>
      </Dialog>
    </div>
  );
}
