/**
 * Access tokens (admins only): who and what may use Hookpost, with which role, and when
 * each was last used. Make one (shown once), or revoke one: it stops working at once,
 * everywhere, and its open live connections end.
 */
import { KeyRound, Plus } from 'lucide-react';
import { useState } from 'react';
import { useSearchParams } from 'react-router';
import { useQuery } from 'urql';
import { useMutationAction } from '../graphql/useMutationAction.ts';
import { AdminsOnly } from '../session/AdminsOnly.tsx';
import { useSession } from '../session/SessionContext.tsx';
import { Dialog } from '../ui/Dialog.tsx';
import { Pager, usePageVariables } from '../ui/Pager.tsx';
import { RelativeTime } from '../ui/RelativeTime.tsx';
import { EmptyState, ErrorState, Loading } from '../ui/States.tsx';
import { usePageTitle } from '../ui/usePageTitle.ts';
import { AccessTokensQuery, RevokeAccessTokenMutation } from './accessTokenDocuments.ts';
import { CreateAccessTokenDialog } from './CreateAccessTokenDialog.tsx';

// A token made or revoked here lists (or leaves) at once.
const context = { additionalTypenames: ['AccessToken'] };

export function AccessTokensPage() {
  const { can } = useSession();
  if (!can('admin'))
    return (
      <AdminsOnly
        title="Access tokens"
        what="Access tokens are managed by admins: they decide who may read and change Hookpost."
      />
    );
  return <AccessTokens />;
}

interface Token {
  id: string;
  name: string;
  prefix: string;
}

function AccessTokens() {
  usePageTitle('Access tokens');
  const [params, setParams] = useSearchParams();
  const includeRevoked = params.get('revoked') === '1';
  const page = usePageVariables();
  // Read again on each visit: last use changes without anything here knowing.
  const [result, refetch] = useQuery({
    query: AccessTokensQuery,
    variables: { includeRevoked, ...page },
    context,
    requestPolicy: 'cache-and-network',
  });
  const [, revoke] = useMutationAction(RevokeAccessTokenMutation);
  const [revoking, setRevoking] = useState<Token | null>(null);
  const creating = params.get('new') === '1';
  const setParam = (key: string, on: boolean) =>
    setParams(
      (current) => {
        const next = new URLSearchParams(current);
        if (on) next.set(key, '1');
        else next.delete(key);
        if (key === 'revoked') {
          next.delete('after');
          next.delete('before');
        }
        return next;
      },
      { replace: true },
    );

  const tokens = result.data?.accessTokens.edges.map((edge) => edge.node) ?? [];
  // The token this session signed in with cannot be revoked from it (the server refuses).
  const own = result.data?.me?.tokenId;
  const newButton = (
    <button type="button" className="button button-primary" onClick={() => setParam('new', true)}>
      <Plus aria-hidden size={16} />
      New access token
    </button>
  );

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Access tokens</h1>
          <p className="page-sub">
            People and tools sign in to the dashboard, GraphQL and the API with these. Each has a role.
          </p>
        </div>
        <div className="page-actions">{newButton}</div>
      </header>
      <label className="inline-field">
        <input
          type="checkbox"
          checked={includeRevoked}
          onChange={(event) => setParam('revoked', event.target.checked)}
        />
        Show revoked tokens
      </label>
      {result.error && !result.data ? (
        <ErrorState
          title="Could not load access tokens"
          error={result.error}
          onRetry={() => refetch({ requestPolicy: 'network-only' })}
        />
      ) : !result.data ? (
        <Loading rows={3} />
      ) : tokens.length === 0 ? (
        <EmptyState icon={KeyRound} title="No access tokens" action={newButton}>
          Make one for each person and each tool that uses Hookpost, with the least role it needs.
        </EmptyState>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Token</th>
                  <th>Role</th>
                  <th>Created</th>
                  <th>Last used</th>
                  <th>Expires</th>
                  <th>
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {tokens.map((token) => (
                  <tr key={token.id} data-token={token.name} className={token.revokedAt ? 'row-muted' : undefined}>
                    <td className="strong cell-wrap">{token.name}</td>
                    <td className="mono">
                      <KeyRound aria-hidden size={13} className="muted" /> {token.prefix}…
                    </td>
                    <td>
                      <span className={`role role-${token.role}`}>{token.role}</span>
                    </td>
                    <td className="cell-wrap">
                      <RelativeTime iso={token.createdAt} />
                      <div className="muted small">
                        {token.createdByName ? `by ${token.createdByName}` : 'at start-up'}
                      </div>
                    </td>
                    <td>
                      <RelativeTime iso={token.lastUsedAt} fallback="never" />
                    </td>
                    <td>
                      {token.revokedAt ? (
                        <span className="muted">—</span>
                      ) : (
                        <RelativeTime iso={token.expiresAt} fallback="never" />
                      )}
                    </td>
                    <td className="cell-actions">
                      {token.revokedAt ? (
                        <span className="pill pill-off">
                          revoked <RelativeTime iso={token.revokedAt} />
                        </span>
                      ) : token.id === own ? (
                        <span
                          className="pill"
                          title="You are signed in with this token; revoke it from another admin token."
                        >
                          you
                        </span>
                      ) : (
                        <button
                          type="button"
                          className="button button-small button-danger-ghost"
                          aria-label={`Revoke ${token.name}`}
                          onClick={() => setRevoking(token)}
                        >
                          Revoke
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager pageInfo={result.data.accessTokens.pageInfo} label="Pages of access tokens" />
        </>
      )}
      <CreateAccessTokenDialog open={creating} onClose={() => setParam('new', false)} />
      <Dialog open={revoking !== null} title={`Revoke “${revoking?.name ?? ''}”?`} onClose={() => setRevoking(null)}>
        <div className="stack">
          <p>
            <span className="mono">{revoking?.prefix}…</span> stops working at once: its requests are refused and its
            dashboard sessions and live connections end. This cannot be undone.
          </p>
          <div className="dialog-actions">
            <button type="button" className="button" onClick={() => setRevoking(null)}>
              Cancel
            </button>
            <button
              type="button"
              className="button button-danger"
              onClick={() =>
                void revoke({ id: revoking!.id }, `Access token “${revoking!.name}” revoked.`).then(() =>
                  setRevoking(null),
                )
              }
            >
              Revoke token
            </button>
          </div>
        </div>
      </Dialog>
    </div>
  );
}
