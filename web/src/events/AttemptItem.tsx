/** One attempt on a delivery's timeline: when, how long, what came back; details unfold on demand. */
import { Columns2 } from 'lucide-react';
import type { DeliveryTimelineFieldsFragment } from '../generated/graphql.ts';
import { CopyButton } from '../ui/CopyButton.tsx';
import { formatDuration } from '../ui/format.ts';
import { RelativeTime } from '../ui/RelativeTime.tsx';
import { attemptAsCurl } from './attemptCurl.ts';
import { codeClass } from './lastResponse.ts';

type Attempt = DeliveryTimelineFieldsFragment['attempts']['edges'][number]['node'];

function Headers({ headers }: { headers: { name: string; value: string }[] }) {
  if (headers.length === 0) return <p className="muted small">None.</p>;
  return (
    <dl className="headers mono">
      {headers.map((header, i) => (
        <div key={`${header.name}-${i}`}>
          <dt>{header.name}</dt>
          <dd>{header.value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** "+2.0 s" after the previous attempt started: the retry schedule at a glance. */
function gap(attempt: Attempt, previous: Attempt | undefined): string | null {
  if (!previous) return null;
  return `+${formatDuration(Date.parse(attempt.startedAt) - Date.parse(previous.startedAt))}`;
}

export function AttemptItem({
  attempt,
  previous,
  open,
  body,
  comparing = false,
  onCompare,
}: {
  attempt: Attempt;
  previous?: Attempt | undefined;
  open: boolean;
  /** The event's body, for "Copy as curl". */
  body?: { text: string; encoding: 'utf8' | 'base64' };
  comparing?: boolean;
  onCompare?(): void;
}) {
  const outcome = attempt.succeeded ? 'ok' : 'bad';
  const after = gap(attempt, previous);
  return (
    <li className={`attempt attempt-${outcome}`} data-attempt={attempt.number} data-started-at={attempt.startedAt}>
      <span className="attempt-dot" aria-hidden />
      <details open={open}>
        <summary>
          <span className="attempt-number">Attempt {attempt.number}</span>
          <span className={`trigger trigger-${attempt.trigger}`}>{attempt.trigger}</span>
          <RelativeTime iso={attempt.startedAt} />
          {after ? (
            <span className="gap" title="After the previous attempt started">
              {after}
            </span>
          ) : null}
          <span className="muted" title="How long the request took">
            {formatDuration(attempt.durationMs)}
          </span>
          {attempt.statusCode !== null && attempt.statusCode !== undefined ? (
            <span className={codeClass(attempt.statusCode)}>HTTP {attempt.statusCode}</span>
          ) : null}
          {attempt.errorKind && attempt.errorKind !== 'http_status' ? (
            <span className="error-kind">{attempt.errorKind.replaceAll('_', ' ')}</span>
          ) : null}
          <span className="visually-hidden">{attempt.succeeded ? 'succeeded' : 'failed'}</span>
        </summary>
        <div className="attempt-body">
          <div className="attempt-actions">
            {body ? <CopyButton value={attemptAsCurl(attempt, body)} label="Copy as curl" /> : null}
            {onCompare ? (
              <button
                type="button"
                className="button button-ghost button-small"
                aria-pressed={comparing}
                title="Pick two attempts to see them side by side"
                onClick={onCompare}
              >
                <Columns2 aria-hidden size={14} />
                {comparing ? 'Picked to compare' : 'Compare'}
              </button>
            ) : null}
          </div>
          {attempt.errorMessage ? <p className="attempt-error">{attempt.errorMessage}</p> : null}
          <p className="small muted mono">POST {attempt.url}</p>
          <div className="attempt-grid">
            <div>
              <h4>Request headers</h4>
              <Headers headers={attempt.requestHeaders} />
            </div>
            <div>
              <h4>Response headers</h4>
              {attempt.responseHeaders ? (
                <Headers headers={attempt.responseHeaders} />
              ) : (
                <p className="muted small">No response.</p>
              )}
            </div>
          </div>
          <h4>
            Response body{attempt.responseBodyTruncated ? <span className="muted small"> (first 20 KiB)</span> : null}
          </h4>
          {attempt.responseBody ? (
            <pre className="code-block small">{attempt.responseBody}</pre>
          ) : attempt.responseBodyBase64 ? (
            <pre className="code-block small">{attempt.responseBodyBase64}</pre>
          ) : (
            <p className="muted small">Empty.</p>
          )}
        </div>
      </details>
    </li>
  );
}
