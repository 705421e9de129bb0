/**
 * One event: what was received, where it went, and every attempt, live. Pushed delivery
 * snapshots are laid over the fetched ones (the newer of the two wins), so attempts
 * appear as they happen without refetching the page.
 */
import { ChevronLeft, RotateCcw, SearchX, Send } from 'lucide-react';
import { useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useMutationAction } from '../graphql/useMutationAction.ts';
import { liveSource } from '../live/liveSource.ts';
import { useLiveQuery } from '../live/useLiveQuery.ts';
import { useRoleBlock } from '../session/SessionContext.tsx';
import { CopyButton } from '../ui/CopyButton.tsx';
import { formatDateTime, formatExact, shortId } from '../ui/format.ts';
import { usePageTitle } from '../ui/usePageTitle.ts';
import { RelativeTime } from '../ui/RelativeTime.tsx';
import { EmptyState, ErrorState, Loading } from '../ui/States.tsx';
import { StatusBadge } from '../ui/StatusBadge.tsx';
import { AttemptCompare } from './AttemptCompare.tsx';
import { DeliveryCard } from './DeliveryCard.tsx';
import {
  EventDeliveriesUpdatedSubscription,
  EventDetailQuery,
  RetryDeliveryMutation,
  CancelDeliveryMutation,
  RetryWholeEventMutation,
} from './eventDetailDocuments.ts';
import { PayloadView } from './PayloadView.tsx';
import { ResendDialog } from './ResendDialog.tsx';
import { withPushedDeliveries } from './pushedDeliveries.ts';
import { eventRetryBlock, newerDelivery } from './retryRules.ts';

export function EventDetailPage() {
  const { trackingNumber = '' } = useParams();
  const live = useMemo(
    () => [
      liveSource(
        EventDeliveriesUpdatedSubscription,
        { eventId: trackingNumber },
        {
          updated: (data) => data.deliveryUpdated.updates.map((update) => update.delivery),
        },
      ),
    ],
    [trackingNumber],
  );
  const result = useLiveQuery({
    query: EventDetailQuery,
    variables: { trackingNumber },
    live,
    merge: withPushedDeliveries,
    newer: newerDelivery,
  });
  const roleBlock = useRoleBlock('operator');
  const [retryOne, runRetryOne] = useMutationAction(RetryDeliveryMutation);
  const [retryAll, runRetryAll] = useMutationAction(RetryWholeEventMutation);
  const [retryingId, setRetryingId] = useState<string | null>(null);
  const [cancelOne, runCancelOne] = useMutationAction(CancelDeliveryMutation);
  const [cancellingId, setCancellingId] = useState<string | null>(null);
  const [resendOpen, setResendOpen] = useState(false);
  // Two attempts picked (by id, from any delivery) open side by side.
  const [comparing, setComparing] = useState<string[]>([]);
  const toggleCompare = (id: string) =>
    setComparing((current) =>
      current.includes(id) ? current.filter((other) => other !== id) : [...current, id].slice(-2),
    );

  const event = result.data?.event;
  usePageTitle(event ? `Event ${shortId(event.trackingNumber)}` : 'Event');
  const deliveries = useMemo(() => event?.deliveries.edges.map((edge) => edge.node) ?? [], [event]);

  if (result.error && !event)
    return <ErrorState title="Could not load this event" error={result.error} onRetry={result.refetch} />;
  if (result.fetching && !event) return <Loading label="Loading the event…" rows={6} />;
  if (!event) {
    return (
      <EmptyState
        icon={SearchX}
        title="No event with this tracking number"
        action={
          <Link className="button" to="/events">
            Back to events
          </Link>
        }
      >
        <span className="mono">{trackingNumber}</span>
      </EmptyState>
    );
  }

  const summary = event;
  const attemptsById = new Map(
    deliveries.flatMap((delivery) =>
      delivery.attempts.edges.map(
        (edge) => [edge.node.id, { ...edge.node, endpointUrl: delivery.endpoint.url }] as const,
      ),
    ),
  );
  const picked = comparing.flatMap((id) => (attemptsById.has(id) ? [attemptsById.get(id)!] : []));
  const eventBlock = roleBlock ?? eventRetryBlock(deliveries);

  return (
    <div className="page">
      <Link to="/events" className="back-link">
        <ChevronLeft aria-hidden size={16} />
        Events
      </Link>
      <header className="page-header">
        <div>
          <h1 className="event-title">
            <span className="mono">{event.trackingNumber}</span>
            <CopyButton value={event.trackingNumber} label="Copy tracking number" compact />
          </h1>
          <p className="page-sub">
            {event.eventType ? <span className="mono type-tag">{event.eventType}</span> : 'No event type'} to{' '}
            <Link to={`/mailboxes/${event.mailbox.id}`}>{event.mailbox.name}</Link>, received{' '}
            <RelativeTime iso={event.receivedAt} />
          </p>
        </div>
        <div className="page-actions">
          <StatusBadge status={summary.status} />
          <span title={eventBlock ?? 'Retry every delivery that failed'}>
            <button
              type="button"
              className="button button-primary"
              disabled={eventBlock !== null || retryAll.fetching}
              onClick={() => void runRetryAll({ trackingNumber: event.trackingNumber }, 'Retry queued for this event.')}
            >
              <RotateCcw aria-hidden size={15} />
              Retry event
            </button>
          </span>
          <span
            title={
              roleBlock ??
              (event.erasedAt
                ? 'This event was erased: there is nothing left to send'
                : 'Send it again to one endpoint')
            }
          >
            <button
              type="button"
              className="button"
              disabled={roleBlock !== null || Boolean(event.erasedAt)}
              onClick={() => setResendOpen(true)}
            >
              <Send aria-hidden size={15} />
              Resend…
            </button>
          </span>
        </div>
      </header>
      <ResendDialog
        open={resendOpen}
        onClose={() => setResendOpen(false)}
        event={{
          trackingNumber: event.trackingNumber,
          eventType: event.eventType,
          mailboxId: event.mailbox.id,
          deliveries: deliveries.map((delivery) => ({ endpointId: delivery.endpoint.id, status: delivery.status })),
        }}
      />
      {eventBlock && summary.status !== 'delivered' ? <p className="muted small retry-why">{eventBlock}</p> : null}

      <dl className="facts">
        <div>
          <dt>Received</dt>
          <dd title={formatExact(event.receivedAt)}>{formatDateTime(event.receivedAt)}</dd>
        </div>
        {event.orderingKey !== null ? (
          <div>
            <dt>Ordering key</dt>
            <dd className="mono" data-testid="event-ordering-key">
              {event.orderingKey}
            </dd>
          </div>
        ) : null}
        <div>
          <dt>Deliveries</dt>
          <dd>
            {summary.deliveryCount} ({summary.pendingCount} pending, {summary.failedCount} failed)
          </dd>
        </div>
        <div>
          <dt>Attempts</dt>
          <dd data-testid="event-attempts">{summary.attemptCount}</dd>
        </div>
        <div>
          <dt>Last attempt</dt>
          <dd>
            <RelativeTime iso={summary.lastAttemptAt} fallback="not yet" />
          </dd>
        </div>
      </dl>

      <div className="detail-grid">
        <div className="detail-main">
          <h2 className="section-title">Deliveries</h2>
          {deliveries.length === 0 ? (
            <p className="notice">
              No endpoint of this mailbox accepts this event type, so it was stored and not delivered.
            </p>
          ) : (
            deliveries.map((delivery) => (
              <DeliveryCard
                key={delivery.id}
                delivery={delivery}
                mailboxId={event.mailbox.id}
                roleBlock={roleBlock}
                retrying={retryOne.fetching && retryingId === delivery.id}
                body={{ text: event.body, encoding: event.bodyEncoding }}
                comparing={comparing}
                onCompare={toggleCompare}
                onRetry={() => {
                  setRetryingId(delivery.id);
                  void runRetryOne({ id: delivery.id }, `Retry queued for ${delivery.endpoint.url}.`);
                }}
                cancelling={cancelOne.fetching && cancellingId === delivery.id}
                onCancel={() => {
                  setCancellingId(delivery.id);
                  void runCancelOne({ id: delivery.id }, `Delivery to ${delivery.endpoint.url} cancelled.`);
                }}
              />
            ))
          )}
        </div>
        <AttemptCompare pair={picked.length === 2 ? [picked[0]!, picked[1]!] : null} onClose={() => setComparing([])} />
        <div className="detail-side">
          <PayloadView
            body={event.body}
            contentType={event.contentType}
            encoding={event.bodyEncoding}
            erasedAt={event.erasedAt}
          />
        </div>
      </div>
    </div>
  );
}
