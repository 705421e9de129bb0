/**
 * Replaying the failed deliveries of an events view (or of the rows picked in it) as one
 * server-side replay: a count of what it takes first, then progress pushed live, with
 * cancel. It covers every event the view matches, not only the rows loaded on screen.
 */
import { Play } from 'lucide-react';
import { useState } from 'react';
import { useQuery } from 'urql';
import type { DeadLetterFilter } from '../generated/graphql.ts';
import { errorMessage } from '../graphql/errorMessage.ts';
import { useMutationAction } from '../graphql/useMutationAction.ts';
import { ReplayPreviewQuery, StartReplayMutation } from '../endpoints/replayDocuments.ts';
import { ReplayProgress } from '../endpoints/ReplayProgress.tsx';
import { Dialog } from '../ui/Dialog.tsx';
import { formatCount } from '../ui/format.ts';
import { describeReplayScope } from './eventsReplay.ts';

export function ReplayViewDialog({
  filter,
  onClose,
  onStarted,
}: {
  /** The dead letters to replay; the dialog is open while there is one. */
  filter: DeadLetterFilter | null;
  onClose(): void;
  onStarted?(): void;
}) {
  const [replayId, setReplayId] = useState<string | null>(null);
  const close = () => {
    setReplayId(null);
    onClose();
  };
  return (
    <Dialog open={filter !== null} title="Replay failed deliveries" onClose={close} wide>
      {replayId ? (
        <ReplayProgress id={replayId} onClose={close} onAnother={close} />
      ) : filter ? (
        <ReplayPreview
          filter={filter}
          onClose={close}
          onStarted={(id) => {
            setReplayId(id);
            onStarted?.();
          }}
        />
      ) : null}
    </Dialog>
  );
}

function ReplayPreview({
  filter,
  onClose,
  onStarted,
}: {
  filter: DeadLetterFilter;
  onClose(): void;
  onStarted(id: string): void;
}) {
  const [preview] = useQuery({ query: ReplayPreviewQuery, variables: { filter }, requestPolicy: 'network-only' });
  const [starting, start] = useMutationAction(StartReplayMutation);
  const count = preview.fetching ? null : (preview.data?.replayPreview ?? null);
  return (
    <form
      className="stack"
      onSubmit={(event) => {
        event.preventDefault();
        void start({ filter }).then((data) => data && onStarted(data.startReplay.id));
      }}
    >
      <p className="muted">
        Replays each failed delivery {describeReplayScope(filter)}: one more attempt each, behind live traffic, a batch
        at a time. Delivered, waiting and in-flight deliveries are left alone, so nothing is sent twice.
      </p>
      <p className="replay-preview" role="status" aria-live="polite" data-testid="replay-preview">
        {preview.error ? (
          <span className="text-bad">{errorMessage(preview.error)}</span>
        ) : count === null ? (
          <span className="muted">Counting…</span>
        ) : count === 0 ? (
          <strong data-preview-count={0}>No failed deliveries to replay here.</strong>
        ) : (
          <strong data-preview-count={count}>
            {formatCount(count)} failed deliver{count === 1 ? 'y' : 'ies'} will be replayed.
          </strong>
        )}
      </p>
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="button button-primary" disabled={!count || starting.fetching}>
          <Play aria-hidden size={15} />
          {starting.fetching ? 'Starting…' : count ? `Replay ${formatCount(count)}` : 'Replay'}
        </button>
      </div>
    </form>
  );
}
