/**
 * Resending one event to one endpoint of its mailbox, chosen from a list that says which
 * cannot take it now and why. The new delivery appears on the page as it is pushed.
 */
import { Send } from 'lucide-react';
import { useState } from 'react';
import { useQuery } from 'urql';
import { errorMessage } from '../graphql/errorMessage.ts';
import { useMutationAction } from '../graphql/useMutationAction.ts';
import { Dialog } from '../ui/Dialog.tsx';
import { ResendEventMutation, ResendTargetsQuery } from './eventDetailDocuments.ts';
import { resendChoices } from './resendTargets.ts';

export function ResendDialog({
  open,
  onClose,
  event,
}: {
  open: boolean;
  onClose(): void;
  event: {
    trackingNumber: string;
    eventType?: string | null;
    mailboxId: string;
    deliveries: { endpointId: string; status: string }[];
  };
}) {
  const [targets] = useQuery({
    query: ResendTargetsQuery,
    variables: { mailboxId: event.mailboxId },
    pause: !open,
    requestPolicy: 'cache-and-network',
  });
  const [picked, setPicked] = useState<string | null>(null);
  const [resending, resend] = useMutationAction(ResendEventMutation);
  const choices = resendChoices(targets.data?.mailbox?.endpoints.edges.map((edge) => edge.node) ?? [], event);
  const choice = choices.find((option) => option.id === picked && !option.blocked);

  return (
    <Dialog open={open} title="Resend to one endpoint" onClose={onClose} wide>
      <form
        className="stack"
        onSubmit={(submitted) => {
          submitted.preventDefault();
          if (!choice) return;
          void resend({ trackingNumber: event.trackingNumber, endpointId: choice.id }, `Resent to ${choice.url}.`).then(
            (data) => {
              if (!data) return;
              setPicked(null);
              onClose();
            },
          );
        }}
      >
        <p className="muted">
          The event goes to the endpoint you pick as a new delivery with one attempt (its own webhook-id, so a receiver
          that drops repeats takes it as new). Its other endpoints get nothing.
        </p>
        {targets.error ? (
          <p className="text-bad">{errorMessage(targets.error)}</p>
        ) : targets.fetching && choices.length === 0 ? (
          <p className="muted">Loading the mailbox's endpoints…</p>
        ) : choices.length === 0 ? (
          <p className="muted">This mailbox has no endpoints.</p>
        ) : (
          <fieldset className="fieldset resend-choices">
            <legend>Endpoint</legend>
            {choices.map((option) => (
              <label key={option.id} className={`check resend-choice${option.blocked ? ' is-blocked' : ''}`}>
                <input
                  type="radio"
                  name="endpoint"
                  value={option.id}
                  disabled={option.blocked !== null}
                  checked={picked === option.id}
                  onChange={() => setPicked(option.id)}
                />
                <span className="resend-choice-text">
                  <span>
                    <span className="mono">{option.url}</span>
                    {option.description ? <span className="muted small"> · {option.description}</span> : null}
                  </span>
                  <span className="muted small">{option.blocked ?? option.note}</span>
                </span>
              </label>
            ))}
          </fieldset>
        )}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={!choice || resending.fetching}>
            <Send aria-hidden size={15} />
            {resending.fetching ? 'Resending…' : 'Resend'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
