/**
 * Making an access token: a name, a role and how long it works. The token itself is in
 * the answer only, so it is shown once, with a copy button and a warning.
 */
import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { errorMessage } from '../graphql/errorMessage.ts';
import type { OperatorRole } from '../session/sessionApi.ts';
import { Dialog } from '../ui/Dialog.tsx';
import { SecretOnce } from '../ui/SecretOnce.tsx';
import { CreateAccessTokenMutation } from './accessTokenDocuments.ts';
import { expiresAtOf, expiryChoices, type ExpiryChoice } from './expiryChoices.ts';

const roles: { role: OperatorRole; help: string }[] = [
  { role: 'viewer', help: 'reads everything, changes nothing' },
  { role: 'operator', help: 'also manages mailboxes, endpoints and retries' },
  { role: 'admin', help: 'also manages access tokens and reads the audit log' },
];

export function CreateAccessTokenDialog({ open, onClose }: { open: boolean; onClose(): void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<OperatorRole>('viewer');
  const [expiry, setExpiry] = useState<ExpiryChoice>('90d');
  const [date, setDate] = useState('');
  const [state, create] = useMutation(CreateAccessTokenMutation);
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);

  const close = () => {
    setName('');
    setRole('viewer');
    setExpiry('90d');
    setDate('');
    setCreated(null);
    onClose();
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const result = await create({ name: name.trim(), role, expiresAt: expiresAtOf(expiry, Date.now(), date) });
    const payload = result.data?.createAccessToken;
    if (payload) setCreated({ name: payload.accessToken.name, token: payload.token });
  };

  return (
    <Dialog open={open} title={created ? `Access token “${created.name}”` : 'New access token'} onClose={close} wide>
      {created ? (
        <div className="stack">
          <SecretOnce
            label="Access token"
            value={created.token}
            note="This token is shown only this once and cannot be recovered. Copy it now and keep it like a password: anyone holding it acts with its role."
          />
          <div className="dialog-actions">
            <button type="button" className="button button-primary" onClick={close}>
              I have copied the token
            </button>
          </div>
        </div>
      ) : (
        <form className="stack" onSubmit={(event) => void submit(event)}>
          <label className="field">
            <span className="field-label">Name</span>
            <input
              name="name"
              value={name}
              onChange={(event) => setName(event.target.value)}
              placeholder="Deploy bot"
              maxLength={100}
              required
              autoFocus
            />
            <span className="field-help">Who or what will use it; the audit log names its actions with it.</span>
          </label>
          <fieldset className="fieldset">
            <legend>Role</legend>
            {roles.map((choice) => (
              <label key={choice.role} className="inline-field">
                <input
                  type="radio"
                  name="role"
                  value={choice.role}
                  checked={role === choice.role}
                  onChange={() => setRole(choice.role)}
                />
                <span>
                  <strong>{choice.role}</strong> <span className="muted">— {choice.help}</span>
                </span>
              </label>
            ))}
          </fieldset>
          <div className="form-grid">
            <label className="field">
              <span className="field-label">Expires</span>
              <select name="expiry" value={expiry} onChange={(event) => setExpiry(event.target.value as ExpiryChoice)}>
                {(Object.keys(expiryChoices) as ExpiryChoice[]).map((choice) => (
                  <option key={choice} value={choice}>
                    {expiryChoices[choice].label}
                  </option>
                ))}
              </select>
            </label>
            {expiry === 'custom' ? (
              <label className="field">
                <span className="field-label">Last day (UTC)</span>
                <input
                  name="expiresOn"
                  type="date"
                  value={date}
                  required
                  min={new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)}
                  onChange={(event) => setDate(event.target.value)}
                />
              </label>
            ) : null}
          </div>
          {state.error ? (
            <p className="field-error" role="alert">
              {errorMessage(state.error)}
            </p>
          ) : null}
          <div className="dialog-actions">
            <button type="button" className="button" onClick={close}>
              Cancel
            </button>
            <button type="submit" className="button button-primary" disabled={state.fetching || !name.trim()}>
              Create token
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
