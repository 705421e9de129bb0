/**
 * Creating a mailbox: a name and, optionally, the URL of its first endpoint. The answer
 * holds the API key (and the endpoint's signing secret), which are shown once, with the
 * curl that sends a first event.
 */
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useMutation } from 'urql';
import { errorMessage } from '../graphql/errorMessage.ts';
import { Dialog } from '../ui/Dialog.tsx';
import { SecretOnce } from '../ui/SecretOnce.tsx';
import { SendEventSnippet } from '../ui/SendEventSnippet.tsx';
import { CreateMailboxMutation } from './mailboxDocuments.ts';

export function CreateMailboxDialog({ open, onClose }: { open: boolean; onClose(): void }) {
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [types, setTypes] = useState('');
  const [state, create] = useMutation(CreateMailboxMutation);
  const [created, setCreated] = useState<{
    id: string;
    name: string;
    apiKey: string;
    signingSecret: string | null;
  } | null>(null);

  const close = () => {
    setName('');
    setUrl('');
    setTypes('');
    setCreated(null);
    onClose();
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const eventTypes = types
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
    const result = await create({
      input: {
        name: name.trim(),
        ...(url.trim() ? { targetUrl: url.trim() } : {}),
        ...(eventTypes.length ? { eventTypes } : {}),
      },
    });
    const payload = result.data?.createMailbox;
    if (payload)
      setCreated({
        id: payload.mailbox.id,
        name: payload.mailbox.name,
        apiKey: payload.apiKey,
        signingSecret: payload.signingSecret ?? null,
      });
  };

  return (
    <Dialog
      open={open}
      title={created ? `Mailbox “${created.name}” is ready` : 'New mailbox'}
      onClose={close}
      wide={Boolean(created)}
    >
      {created ? (
        <div className="stack">
          <SecretOnce
            label="API key"
            value={created.apiKey}
            note="This API key is shown only this once. Your service sends it in the x-api-key header. Copy it now."
          />
          {created.signingSecret ? (
            <SecretOnce
              label="Signing secret"
              value={created.signingSecret}
              note="Receivers verify the webhook-signature header with it. You can reveal or rotate it later."
            />
          ) : null}
          <SendEventSnippet mailboxId={created.id} apiKey={created.apiKey} />
          <div className="dialog-actions">
            <Link className="button button-primary" to={`/mailboxes/${created.id}`} onClick={close}>
              Open the mailbox
            </Link>
            <button type="button" className="button" onClick={close}>
              I have copied the key
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
              placeholder="Order service"
              maxLength={200}
              required
              autoFocus
            />
            <span className="field-help">The service that will send events, as your team calls it.</span>
          </label>
          <label className="field">
            <span className="field-label">
              Endpoint URL <span className="muted">(optional)</span>
            </span>
            <input
              name="targetUrl"
              type="url"
              value={url}
              onChange={(event) => setUrl(event.target.value)}
              placeholder="https://example.com/webhooks"
              spellCheck={false}
            />
            <span className="field-help">Where events are delivered. You can add more endpoints later.</span>
          </label>
          {url.trim() ? (
            <label className="field">
              <span className="field-label">
                Event types <span className="muted">(optional)</span>
              </span>
              <input
                name="eventTypes"
                value={types}
                onChange={(event) => setTypes(event.target.value)}
                placeholder="order.*, invoice.paid"
                spellCheck={false}
              />
              <span className="field-help">Comma-separated names or patterns with *. Empty: every event.</span>
            </label>
          ) : null}
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
              {state.fetching ? 'Creating…' : 'Create mailbox'}
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
