/** Sign in with an access token; the server trades it for an httpOnly session cookie. */
import { Activity, KeyRound } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { useSession } from './SessionContext.tsx';

export function SignInPage() {
  const { signIn, endedNote, loadError } = useSession();
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(token);
    } catch (failure) {
      setError((failure as Error).message);
      setBusy(false);
    }
  };

  return (
    <div className="signin">
      <form className="signin-card" onSubmit={(event) => void submit(event)}>
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden>
            <Activity size={18} strokeWidth={2.5} />
          </span>
          Hookpost
        </div>
        <h1>Sign in to the dashboard</h1>
        <p className="muted">
          Paste an access token. It is exchanged for a session cookie and never stored in the page.
        </p>
        {endedNote ? <p className="notice notice-warning">{endedNote}</p> : null}
        {loadError ? <p className="notice notice-error">Could not reach Hookpost: {loadError}</p> : null}
        <label className="field">
          <span className="field-label">Access token</span>
          <input
            name="token"
            type="password"
            autoComplete="off"
            spellCheck={false}
            placeholder="hpt_…"
            value={token}
            onChange={(event) => setToken(event.target.value)}
            autoFocus
            required
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'signin-error' : 'signin-help'}
          />
        </label>
        {error ? (
          <p id="signin-error" className="field-error" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" className="button button-primary button-block" disabled={busy || token.trim() === ''}>
          <KeyRound aria-hidden size={16} />
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <div id="signin-help" className="signin-help">
          <strong>First time here?</strong> On its first start Hookpost writes an admin token to{' '}
          <code>.hookpost/admin-token</code> in its data folder (<code>HOOKPOST_DATA_DIR</code>):
          <pre>cat .hookpost/admin-token</pre>
          Admins can make tokens for others with the <code>viewer</code> or <code>operator</code> role.
        </div>
      </form>
    </div>
  );
}
