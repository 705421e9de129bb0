/**
 * Replaying an endpoint's failed deliveries: narrow them down (when they failed, how,
 * with which HTTP status) while a preview counts what the filter takes, start, then
 * follow the replay live (each batch is pushed) and cancel it if need be. The replay
 * runs on the server; closing the dialog does not stop it, and opening it again shows it.
 */
import { Play } from 'lucide-react';
import { useEffect, useMemo, useState } from 'react';
import { useQuery } from 'urql';
import { errorMessage } from '../graphql/errorMessage.ts';
import { useMutationAction } from '../graphql/useMutationAction.ts';
import { Dialog } from '../ui/Dialog.tsx';
import { Field } from '../ui/Field.tsx';
import { formatCount, formatDateTime } from '../ui/format.ts';
import { ReplayPreviewQuery, StartReplayMutation } from './replayDocuments.ts';
import { ReplayProgress } from './ReplayProgress.tsx';
import { describeReplayFilter, emptyReplayForm, replayFilterOf, type ReplayFormValues } from './replayFilter.ts';

/** Typing in the filter asks for a new count once it rests this long. */
const PREVIEW_AFTER_MS = 300;

export function ReplayDialog({
  open,
  onClose,
  endpoint,
  errorKinds,
}: {
  open: boolean;
  onClose(): void;
  endpoint: { id: string; url: string };
  /** The kinds of failure seen lately, most frequent first, offered as choices. */
  errorKinds: { kind: string; count: number }[];
}) {
  const [replayId, setReplayId] = useState<string | null>(null);
  return (
    <Dialog open={open} title="Replay failed deliveries" onClose={onClose} wide>
      {replayId ? (
        <ReplayProgress id={replayId} onClose={onClose} onAnother={() => setReplayId(null)} />
      ) : (
        <ReplayFilterForm endpoint={endpoint} errorKinds={errorKinds} onClose={onClose} onStarted={setReplayId} />
      )}
    </Dialog>
  );
}

function ReplayFilterForm({
  endpoint,
  errorKinds,
  onClose,
  onStarted,
}: {
  endpoint: { id: string; url: string };
  errorKinds: { kind: string; count: number }[];
  onClose(): void;
  onStarted(id: string): void;
}) {
  const [values, setValues] = useState<ReplayFormValues>(emptyReplayForm);
  const set = (patch: Partial<ReplayFormValues>) => setValues((current) => ({ ...current, ...patch }));
  const result = useMemo(() => replayFilterOf(values, { endpointId: endpoint.id }), [values, endpoint.id]);
  const filterKey = result.ok ? JSON.stringify(result.filter) : null;

  // The count follows the filter once typing rests, not at every keystroke.
  const [previewKey, setPreviewKey] = useState(filterKey);
  useEffect(() => {
    const timer = setTimeout(() => setPreviewKey(filterKey), PREVIEW_AFTER_MS);
    return () => clearTimeout(timer);
  }, [filterKey]);
  const previewFilter = useMemo(() => (previewKey ? JSON.parse(previewKey) : null), [previewKey]);
  const [preview] = useQuery({
    query: ReplayPreviewQuery,
    variables: { filter: previewFilter },
    pause: !previewFilter,
    requestPolicy: 'network-only',
  });
  const [starting, start] = useMutationAction(StartReplayMutation);

  const settled = previewKey === filterKey && !preview.fetching && preview.data !== undefined;
  const count = settled ? (preview.data?.replayPreview ?? null) : null;
  const kinds = [
    ...errorKinds,
    ...values.errorKinds.filter((kind) => !errorKinds.some((k) => k.kind === kind)).map((kind) => ({ kind, count: 0 })),
  ];
  const errors = result.ok ? {} : result.errors;

  return (
    <form
      className="stack"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        if (!result.ok) return;
        void start({ filter: result.filter }).then((data) => data && onStarted(data.startReplay.id));
      }}
    >
      <p className="muted">
        Each failed delivery of <span className="mono">{endpoint.url}</span> that the filter takes gets one more
        attempt, behind live traffic. A delivery that is no longer failed is left alone, so nothing is sent twice.
      </p>
      <div className="form-grid">
        <Field label="Failed since" error={errors.failedSince} help="Empty: from the first.">
          <input
            type="datetime-local"
            name="failedSince"
            value={values.failedSince}
            onChange={(event) => set({ failedSince: event.target.value })}
            aria-invalid={errors.failedSince ? true : undefined}
          />
        </Field>
        <Field label="Failed until" error={errors.failedUntil} help="Empty: up to now.">
          <input
            type="datetime-local"
            name="failedUntil"
            value={values.failedUntil}
            onChange={(event) => set({ failedUntil: event.target.value })}
            aria-invalid={errors.failedUntil ? true : undefined}
          />
        </Field>
      </div>
      <fieldset className="fieldset">
        <legend>Error kinds</legend>
        {kinds.length === 0 ? (
          <p className="muted small">No failures in the chart's window to choose from: every kind is taken.</p>
        ) : (
          <div className="check-row">
            {kinds.map(({ kind, count: seen }) => (
              <label key={kind} className="check">
                <input
                  type="checkbox"
                  checked={values.errorKinds.includes(kind)}
                  onChange={(event) =>
                    set({
                      errorKinds: event.target.checked
                        ? [...values.errorKinds, kind]
                        : values.errorKinds.filter((other) => other !== kind),
                    })
                  }
                />
                <span className="mono">{kind}</span>
                {seen > 0 ? <span className="muted small">({formatCount(seen)})</span> : null}
              </label>
            ))}
          </div>
        )}
        <span className="field-help">None ticked: every kind.</span>
      </fieldset>
      <Field
        label="HTTP statuses"
        error={errors.statusCodes}
        help="Comma-separated, e.g. 500, 503. Empty: any status, and failures without one."
      >
        <input
          name="statusCodes"
          value={values.statusCodes}
          placeholder="any"
          inputMode="numeric"
          spellCheck={false}
          onChange={(event) => set({ statusCodes: event.target.value })}
          aria-invalid={errors.statusCodes ? true : undefined}
        />
      </Field>
      <p className="replay-preview" role="status" aria-live="polite" data-testid="replay-preview">
        {!result.ok ? (
          <span className="muted">Fix the filter to see how many it takes.</span>
        ) : preview.error && previewKey === filterKey ? (
          <span className="text-bad">{errorMessage(preview.error)}</span>
        ) : count === null ? (
          <span className="muted">Counting…</span>
        ) : (
          <>
            <strong data-preview-count={count}>
              {formatCount(count)} failed deliver{count === 1 ? 'y' : 'ies'}
            </strong>{' '}
            {describeReplayFilter(result.filter, formatDateTime)}.
          </>
        )}
      </p>
      <div className="dialog-actions">
        <button type="button" className="button" onClick={onClose}>
          Cancel
        </button>
        <button
          type="submit"
          className="button button-primary"
          disabled={!result.ok || !count || starting.fetching}
          title={count === 0 ? 'Nothing to replay with this filter.' : undefined}
        >
          <Play aria-hidden size={15} />
          {starting.fetching ? 'Starting…' : count ? `Replay ${formatCount(count)}` : 'Replay'}
        </button>
      </div>
    </form>
  );
}
