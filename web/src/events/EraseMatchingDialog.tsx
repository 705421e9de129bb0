/**
 * "Erase matching events" (admins): every event of the view's mailbox that its filter
 * matches, loaded on screen or not, erased on the server in the background. The dialog
 * counts them first and says, before anything happens, how many will be erased and that
 * it cannot be undone; the admin confirms that count (a tick, then the button naming
 * it), and the server refuses to start if more match by then. Then progress, live.
 */
import { Eraser } from 'lucide-react';
import { useState } from 'react';
import { useQuery } from 'urql';
import type { ErasureFilter } from '../generated/graphql.ts';
import { errorMessage } from '../graphql/errorMessage.ts';
import { useMutationAction } from '../graphql/useMutationAction.ts';
import { Dialog } from '../ui/Dialog.tsx';
import { formatCount } from '../ui/format.ts';
import { ErasurePreviewQuery, StartErasureMutation } from './erasureDocuments.ts';
import { ErasureProgress } from './ErasureProgress.tsx';
import { describeErasureFilter, takesEveryEvent } from './eventsErasure.ts';

export interface ErasureScope {
  mailboxId: string;
  filter: ErasureFilter;
}

export function EraseMatchingDialog({
  scope,
  onClose,
  onEnded,
}: {
  /** What to erase; the dialog is open while there is one. */
  scope: ErasureScope | null;
  onClose(): void;
  /** The erasure finished or was cancelled (the list may refresh). */
  onEnded?(): void;
}) {
  const [erasureId, setErasureId] = useState<string | null>(null);
  const close = () => {
    setErasureId(null);
    onClose();
  };
  return (
    <Dialog open={scope !== null} title="Erase matching events" onClose={close} wide>
      {erasureId ? (
        <ErasureProgress id={erasureId} onClose={close} onEnded={onEnded} />
      ) : scope ? (
        <ErasureConfirmation scope={scope} onClose={close} onStarted={setErasureId} />
      ) : null}
    </Dialog>
  );
}

function ErasureConfirmation({
  scope,
  onClose,
  onStarted,
}: {
  scope: ErasureScope;
  onClose(): void;
  onStarted(id: string): void;
}) {
  const [preview] = useQuery({ query: ErasurePreviewQuery, variables: scope, requestPolicy: 'network-only' });
  const [starting, start] = useMutationAction(StartErasureMutation);
  const [understood, setUnderstood] = useState(false);
  const count = preview.fetching ? null : (preview.data?.erasurePreview ?? null);
  const mailboxName = preview.data?.mailbox?.name ?? 'this mailbox';
  const everything = takesEveryEvent(scope.filter);
  const conditions = describeErasureFilter(scope.filter);
  const events = (n: number) => `${formatCount(n)} event${n === 1 ? '' : 's'}`;
  return (
    <form
      className="stack"
      onSubmit={(event) => {
        event.preventDefault();
        if (!count || !understood) return;
        void start({ ...scope, everything, expectedCount: count }).then(
          (data) => data && onStarted(data.startErasure.id),
        );
      }}
    >
      <p>
        {everything ? (
          <>
            The view narrows by nothing but the mailbox: this erases <strong>every event</strong> of{' '}
            <strong>{mailboxName}</strong> received until now.
          </>
        ) : (
          <>
            Erases every event of <strong>{mailboxName}</strong> received until now {conditions.join(', ')}, loaded on
            screen or not.
          </>
        )}
      </p>
      <p className="muted">
        Each event’s payload, the responses its attempts captured and its idempotency key are deleted for good; a
        tombstone keeps its tracking number and when it was erased. Its waiting and failed deliveries are cancelled. An
        event with an attempt in flight is erased once the attempt ends.
      </p>
      <p className="replay-preview" role="status" aria-live="polite" data-testid="erasure-preview">
        {preview.error ? (
          <span className="text-bad">{errorMessage(preview.error)}</span>
        ) : count === null ? (
          <span className="muted">Counting…</span>
        ) : count === 0 ? (
          <strong data-preview-count={0}>No events match: there is nothing to erase.</strong>
        ) : (
          <strong data-preview-count={count}>{events(count)} will be erased. This cannot be undone.</strong>
        )}
      </p>
      {count ? (
        <label className="check">
          <input type="checkbox" checked={understood} onChange={(event) => setUnderstood(event.target.checked)} />I
          understand that {events(count)} of {mailboxName} will be erased for good.
        </label>
      ) : null}
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="button button-danger" disabled={!count || !understood || starting.fetching}>
          <Eraser aria-hidden size={15} />
          {starting.fetching ? 'Starting…' : count ? `Erase ${events(count)}` : 'Erase'}
        </button>
      </div>
    </form>
  );
}
