/**
 * A bulk erasure as it runs: progress pushed live (each batch), cancel while it runs, and
 * what it did once it ends. The erasure runs on the server; closing what shows this does
 * not stop it.
 */
import { Square } from 'lucide-react';
import { useEffect, useMemo, useRef } from 'react';
import type { ErasureFieldsFragment } from '../generated/graphql.ts';
import { errorMessage } from '../graphql/errorMessage.ts';
import { useMutationAction } from '../graphql/useMutationAction.ts';
import { newerProgress } from '../live/newerProgress.ts';
import { liveSource } from '../live/liveSource.ts';
import { useLiveQuery } from '../live/useLiveQuery.ts';
import { formatCount } from '../ui/format.ts';
import { RelativeTime } from '../ui/RelativeTime.tsx';
import { CancelErasureMutation, ErasureQuery, ErasureUpdatedSubscription } from './erasureDocuments.ts';

const newerErasure = newerProgress<ErasureFieldsFragment>((snapshot) => snapshot.erased);

const headings = { running: 'Erasing…', finished: 'Erasure finished', cancelled: 'Erasure cancelled' } as const;

export function ErasureProgress({ id, onClose, onEnded }: { id: string; onClose(): void; onEnded?(): void }) {
  const live = useMemo(
    () => [liveSource(ErasureUpdatedSubscription, { id }, { updated: (data) => data.erasureUpdated.erasures })],
    [id],
  );
  const result = useLiveQuery({
    query: ErasureQuery,
    variables: { id },
    live,
    merge: (data, pushed) => {
      const latest = pushed.find((erasure) => erasure.id === id);
      return latest && data.erasure ? { erasure: newerErasure(data.erasure, latest) } : data;
    },
    newer: newerErasure,
  });
  const [cancelling, cancel] = useMutationAction(CancelErasureMutation);
  const erasure = result.data?.erasure;
  const status = erasure?.status;
  // Told once, when it ends: the caller may refresh what it shows.
  const ended = useRef(onEnded);
  ended.current = onEnded;
  const ending = status !== undefined && status !== 'running';
  useEffect(() => {
    if (ending) ended.current?.();
  }, [ending]);
  if (!erasure) return <p className="muted">{result.error ? errorMessage(result.error) : 'Starting the erasure…'}</p>;

  const running = erasure.status === 'running';
  return (
    <div className="stack" data-erasure={erasure.id} data-erasure-status={erasure.status}>
      <div className="replay-progress">
        <label htmlFor={`erasure-${erasure.id}`} className="field-label">
          {headings[erasure.status]}
        </label>
        <progress id={`erasure-${erasure.id}`} max={Math.max(erasure.matched, 1)} value={erasure.erased} />
        <p role="status" aria-live="polite">
          <strong data-testid="erasure-erased">
            {formatCount(erasure.erased)} of {formatCount(erasure.matched)}
          </strong>{' '}
          events erased
          {erasure.inFlight > 0
            ? `; ${formatCount(erasure.inFlight)} wait for an attempt in flight to end`
            : !running && erasure.erased < erasure.matched
              ? erasure.status === 'cancelled'
                ? '; the others were left as they were'
                : '; the others stopped matching or were erased meanwhile'
              : ''}
          .
        </p>
        <p className="muted small">
          Started by {erasure.createdBy} <RelativeTime iso={erasure.createdAt} />
          {erasure.finishedAt ? (
            <>
              {' '}
              · {erasure.status} <RelativeTime iso={erasure.finishedAt} />
            </>
          ) : (
            ' · a batch at a time, so deliveries and new events are not held up'
          )}
        </p>
      </div>
      <div className="dialog-actions">
        {running ? (
          <button
            type="button"
            className="button button-danger-ghost"
            disabled={cancelling.fetching}
            onClick={() => void cancel({ id: erasure.id }, 'Erasure cancelled; the events it erased stay erased.')}
          >
            <Square aria-hidden size={14} />
            Cancel erasure
          </button>
        ) : null}
        <button type="button" className="button button-primary" onClick={onClose}>
          {running ? 'Close (it keeps running)' : 'Done'}
        </button>
      </div>
    </div>
  );
}
