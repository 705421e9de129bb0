/**
 * One delivery of an event: its endpoint, status and why it stands there, its ordering key,
 * the next attempt if one is due, every attempt, and its retry and cancel buttons.
 */
import { Ban, RotateCcw } from 'lucide-react';
import { Link } from 'react-router';
import type { DeliveryTimelineFieldsFragment } from '../generated/graphql.ts';
import { RelativeTime } from '../ui/RelativeTime.tsx';
import { StatusBadge } from '../ui/StatusBadge.tsx';
import { AttemptItem } from './AttemptItem.tsx';
import { deliveryRetryBlock } from './retryRules.ts';

export function DeliveryCard({
  delivery,
  mailboxId,
  roleBlock,
  retrying,
  onRetry,
  cancelling = false,
  onCancel,
  body,
  comparing = [],
  onCompare,
}: {
  delivery: DeliveryTimelineFieldsFragment;
  mailboxId: string;
  roleBlock: string | null;
  retrying: boolean;
  onRetry(): void;
  cancelling?: boolean;
  /** Cancels it while it waits for an attempt (the skip of an ordering key's head); absent: no button. */
  onCancel?(): void;
  body?: { text: string; encoding: 'utf8' | 'base64' };
  /** Ids of the attempts picked for comparison. */
  comparing?: string[];
  onCompare?(attemptId: string): void;
}) {
  const attempts = delivery.attempts.edges.map((edge) => edge.node);
  const block = roleBlock ?? deliveryRetryBlock(delivery);
  const latest = attempts[attempts.length - 1];
  const waiting = delivery.status === 'queued' || delivery.status === 'held';
  return (
    <section
      className="card delivery"
      data-delivery={delivery.id}
      data-status={delivery.status}
      aria-label={`Delivery to ${delivery.endpoint.url}`}
    >
      <header className="card-header">
        <div className="delivery-title">
          <Link
            to={`/mailboxes/${mailboxId}#endpoint-${delivery.endpoint.id}`}
            className="mono delivery-url"
            title={delivery.endpoint.url}
          >
            {delivery.endpoint.url}
          </Link>
          <div className="delivery-meta">
            <span
              data-attempt-count={delivery.attemptCount}
              title={`Its retry policy allows ${delivery.endpoint.retryPolicy.maxAttempts} scheduled attempts`}
            >
              {delivery.attemptCount} attempt{delivery.attemptCount === 1 ? '' : 's'} · policy{' '}
              {delivery.endpoint.retryPolicy.maxAttempts}
            </span>
            <span title="The webhook-id header: the same on every attempt, for receivers to de-duplicate on">
              webhook-id <span className="mono">{delivery.id}</span>
            </span>
            {delivery.orderingKey !== null ? (
              <span title="Its endpoint delivers the events of one ordering key one at a time, in arrival order">
                ordering key <span className="mono">{delivery.orderingKey}</span>
              </span>
            ) : null}
          </div>
        </div>
        <StatusBadge status={delivery.status} />
        <span title={block ?? 'Queue one more attempt now'}>
          <button
            type="button"
            className="button button-small"
            disabled={block !== null || retrying}
            onClick={onRetry}
            aria-describedby={block ? `why-${delivery.id}` : undefined}
          >
            <RotateCcw aria-hidden size={14} />
            {retrying ? 'Retrying…' : 'Retry'}
          </button>
        </span>
        {onCancel && waiting ? (
          <span title={roleBlock ?? 'Give up on it: it ends cancelled, and the next of its ordering key goes now'}>
            <button
              type="button"
              className="button button-small"
              disabled={roleBlock !== null || cancelling}
              onClick={onCancel}
            >
              <Ban aria-hidden size={14} />
              {cancelling ? 'Cancelling…' : 'Cancel'}
            </button>
          </span>
        ) : null}
      </header>
      {block && delivery.status !== 'delivered' ? (
        <p id={`why-${delivery.id}`} className="muted small retry-why">
          {block}
        </p>
      ) : (
        <span id={`why-${delivery.id}`} className="visually-hidden">
          {block}
        </span>
      )}
      {delivery.statusReason ? (
        <p className="muted small" data-status-reason>
          {delivery.statusReason}
        </p>
      ) : null}
      {delivery.nextAttemptAt && delivery.status === 'queued' ? (
        <p className="next-attempt small">
          Next attempt <RelativeTime iso={delivery.nextAttemptAt} />
        </p>
      ) : null}
      {attempts.length === 0 ? (
        <p className="muted small timeline-empty">No attempt yet.</p>
      ) : (
        <ol className="timeline">
          {attempts.map((attempt, index) => (
            <AttemptItem
              key={attempt.id}
              attempt={attempt}
              previous={attempts[index - 1]}
              open={attempt === latest}
              body={body}
              comparing={comparing.includes(attempt.id)}
              onCompare={onCompare ? () => onCompare(attempt.id) : undefined}
            />
          ))}
        </ol>
      )}
    </section>
  );
}
