/**
 * A bulk replay as it runs: progress pushed live (each batch), cancel while it runs, and
 * what it did once it ends. The replay runs on the server; closing what shows this does
 * not stop it.
 */
import { History, Square } from 'lucide-react';
import { useMemo } from 'react';
import type { ReplayFieldsFragment } from '../generated/graphql.ts';
import { errorMessage } from '../graphql/errorMessage.ts';
import { useMutationAction } from '../graphql/useMutationAction.ts';
import { newerProgress } from '../live/newerProgress.ts';
import { liveSource } from '../live/liveSource.ts';
import { useLiveQuery } from '../live/useLiveQuery.ts';
import { formatCount } from '../ui/format.ts';
import { RelativeTime } from '../ui/RelativeTime.tsx';
import { CancelReplayMutation, ReplayQuery, ReplayUpdatedSubscription } from './replayDocuments.ts';

const newerReplay = newerProgress<ReplayFieldsFragment>((snapshot) => snapshot.processed);

export function ReplayProgress({ id, onClose, onAnother }: { id: string; onClose(): void; onAnother(): void }) {
  const live = useMemo(
    () => [liveSource(ReplayUpdatedSubscription, { id }, { updated: (data) => data.replayUpdated.replays })],
    [id],
  );
  const result = useLiveQuery({
    query: ReplayQuery,
    variables: { id },
    live,
    merge: (data, pushed) => {
      const latest = pushed.find((replay) => replay.id === id);
      return latest && data.replay ? { replay: newerReplay(data.replay, latest) } : data;
    },
    newer: newerReplay,
  });
  const [cancelling, cancel] = useMutationAction(CancelReplayMutation);
  const replay = result.data?.replay;
  if (!replay) return <p className="muted">{result.error ? errorMessage(result.error) : 'Starting the replay…'}</p>;

  const running = replay.status === 'running';
  return (
    <div className="stack" data-replay={replay.id} data-replay-status={replay.status}>
      <div className="replay-progress">
        <label htmlFor={`replay-${replay.id}`} className="field-label">
          {running ? 'Replaying…' : replay.status === 'finished' ? 'Replay finished' : 'Replay cancelled'}
        </label>
        <progress id={`replay-${replay.id}`} max={Math.max(replay.total, 1)} value={replay.processed} />
        <p role="status" aria-live="polite">
          <strong data-testid="replay-processed">
            {formatCount(replay.processed)} of {formatCount(replay.total)}
          </strong>{' '}
          taken, <span data-testid="replay-requeued">{formatCount(replay.requeued)}</span> put back in line
          {replay.requeued < replay.processed
            ? ' (the others were retried meanwhile, or their endpoint is disabled)'
            : ''}
          .
        </p>
        <p className="muted small">
          Started <RelativeTime iso={replay.createdAt} />
          {replay.finishedAt ? (
            <>
              {' '}
              · {replay.status} <RelativeTime iso={replay.finishedAt} />
            </>
          ) : (
            ' · a batch a second, behind live traffic'
          )}
        </p>
      </div>
      <div className="dialog-actions">
        {running ? (
          <button
            type="button"
            className="button button-danger-ghost"
            disabled={cancelling.fetching}
            onClick={() =>
              void cancel({ id: replay.id }, 'Replay cancelled; what it put back in line is still delivered.')
            }
          >
            <Square aria-hidden size={14} />
            Cancel replay
          </button>
        ) : (
          <button type="button" className="button" onClick={onAnother}>
            <History aria-hidden size={15} />
            Another replay
          </button>
        )}
        <button type="button" className="button button-primary" onClick={onClose}>
          {running ? 'Close (it keeps running)' : 'Done'}
        </button>
      </div>
    </div>
  );
}
