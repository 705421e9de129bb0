/**
 * A mailbox's API keys. Rotation is: add a key, switch the producer to it, revoke the
 * old one (now, or after a grace period so in-flight producers keep working).
 */
import { KeyRound, Plus } from 'lucide-react';
import { useState } from 'react';
import { Dialog } from '../ui/Dialog.tsx';
import { RelativeTime } from '../ui/RelativeTime.tsx';
import { SecretOnce } from '../ui/SecretOnce.tsx';
import { useMutationAction } from '../graphql/useMutationAction.ts';
import { CreateApiKeyMutation, RevokeApiKeyMutation } from './mailboxDocuments.ts';

interface Key {
  id: string;
  name: string;
  prefix: string;
  active: boolean;
  createdAt: string;
  revokedAt?: string | null;
}

const graces = [
  { label: 'Now', seconds: 0 },
  { label: 'In 1 hour', seconds: 3600 },
  { label: 'In 24 hours', seconds: 86_400 },
];

export function ApiKeysSection({ mailboxId, keys, block }: { mailboxId: string; keys: Key[]; block: string | null }) {
  const [creating, createKey] = useMutationAction(CreateApiKeyMutation);
  const [, revoke] = useMutationAction(RevokeApiKeyMutation);
  const [newKey, setNewKey] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<Key | null>(null);

  return (
    <section className="card" aria-labelledby="keys-title">
      <header className="card-header">
        <h2 id="keys-title">API keys</h2>
        <span className="muted small">sent by the producer in x-api-key</span>
        <span className="spacer" />
        <button
          type="button"
          className="button button-small"
          disabled={block !== null || creating.fetching}
          title={block ?? 'Add a key, e.g. to rotate: switch the producer, then revoke the old key'}
          onClick={() =>
            void createKey({ mailboxId, name: `key ${keys.length + 1}` }).then(
              (data) => data && setNewKey(data.createApiKey.apiKey),
            )
          }
        >
          <Plus aria-hidden size={14} />
          New key
        </button>
      </header>
      <table className="table">
        <thead>
          <tr>
            <th>Key</th>
            <th>Name</th>
            <th>Created</th>
            <th>State</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => (
            <tr key={key.id} className={key.active ? undefined : 'row-muted'}>
              <td className="mono">
                <KeyRound aria-hidden size={13} className="muted" /> {key.prefix}…
              </td>
              <td>{key.name || <span className="muted">unnamed</span>}</td>
              <td>
                <RelativeTime iso={key.createdAt} />
              </td>
              <td>
                {key.active ? (
                  key.revokedAt ? (
                    <span className="pill pill-warn">
                      stops <RelativeTime iso={key.revokedAt} />
                    </span>
                  ) : (
                    <span className="pill pill-ok">active</span>
                  )
                ) : (
                  <span className="pill pill-off">revoked</span>
                )}
              </td>
              <td className="cell-actions">
                {key.active && !key.revokedAt ? (
                  <button
                    type="button"
                    className="button button-small button-danger-ghost"
                    disabled={block !== null}
                    onClick={() => setRevoking(key)}
                  >
                    Revoke
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Dialog open={newKey !== null} title="New API key" onClose={() => setNewKey(null)} wide>
        {newKey ? (
          <div className="stack">
            <SecretOnce
              label="API key"
              value={newKey}
              note="This key is shown only this once. Switch the producer to it, then revoke the old key."
            />
            <div className="dialog-actions">
              <button type="button" className="button button-primary" onClick={() => setNewKey(null)}>
                I have copied the key
              </button>
            </div>
          </div>
        ) : null}
      </Dialog>
      <Dialog open={revoking !== null} title={`Revoke ${revoking?.prefix ?? ''}…?`} onClose={() => setRevoking(null)}>
        <div className="stack">
          <p>
            Producers using this key are refused once it stops working. Give them time to switch, or stop it now if it
            leaked.
          </p>
          <div className="dialog-actions">
            {graces.map((grace) => (
              <button
                key={grace.seconds}
                type="button"
                className={grace.seconds === 0 ? 'button button-danger' : 'button'}
                onClick={() =>
                  void revoke(
                    { id: revoking!.id, graceSeconds: grace.seconds },
                    grace.seconds === 0 ? 'Key revoked.' : `Key stops working ${grace.label.toLowerCase()}.`,
                  ).then(() => setRevoking(null))
                }
              >
                {grace.label}
              </button>
            ))}
          </div>
        </div>
      </Dialog>
    </section>
  );
}
