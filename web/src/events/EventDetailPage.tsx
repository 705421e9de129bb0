/**
 * One event: what was received, where it went, and every attempt, live. Pushed delivery
 * snapshots are laid over the fetched ones (the newer of the two wins), so attempts
 * appear as they happen without refetching the page.
 */
import { ChevronLeft, RotateCcw, SearchX } from 'lucide-react';
import { useEffect, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { useClient, useMutation, useQuery } from 'urql';
import type { DeliveryTimelineFieldsFragment, EventSummaryFieldsFragment } from '../generated/graphql.ts';
import { useConnection } from '../graphql/LiveProvider.tsx';
import { subscribeForever } from '../graphql/subscribeForever.ts';
import { useRoleBlock } from '../session/SessionContext.tsx';
import { CopyButton } from '../ui/CopyButton.tsx';
import { formatExact } from '../ui/format.ts';
import { RelativeTime } from '../ui/RelativeTime.tsx';
import { EmptyState, ErrorState, Loading } from '../ui/States.tsx';
import { StatusBadge } from '../ui/StatusBadge.tsx';
import { useToast } from '../ui/Toasts.tsx';
import { DeliveryCard } from './DeliveryCard.tsx';
import {
  EventDeliveriesUpdatedSubscription,
  EventDetailQuery,
  RetryDeliveryMutation,
  RetryWholeEventMutation,
} from './eventDetailDocuments.ts';
import { PayloadView } from './PayloadView.tsx';
import { eventRetryBlock, newerDelivery } from './retryRules.ts';

type Delivery = DeliveryTimelineFieldsFragment;

export function EventDetailPage() {
  const { trackingNumber = '' } = useParams();
  const [result, reexecute] = useQuery({ query: EventDetailQuery, variables: { trackingNumber } });
  const client = useClient();
  const toast = useToast();
  const roleBlock = useRoleBlock('operator');
  const [pushed, setPushed] = useState<{
    deliveries: Record<string, Delivery>;
    summary: EventSummaryFieldsFragment | null;
  }>({ deliveries: {}, summary: null });
  useEffect(() => setPushed({ deliveries: {}, summary: null }), [trackingNumber]);

  const { resyncs } = useConnection();
  useEffect(() => {
    if (resyncs > 0) reexecute({ requestPolicy: 'network-only' });
  }, [resyncs, reexecute]);

  useEffect(() => {
    const refetch = () => reexecute({ requestPolicy: 'network-only' });
    return subscribeForever(
      client,
      EventDeliveriesUpdatedSubscription,
      { eventId: trackingNumber },
      ({ deliveryUpdated: payload }) => {
        if (payload.resync || payload.skipped > 0) refetch();
        if (payload.updates.length === 0) return;
        setPushed((current) => {
          const deliveries = { ...current.deliveries };
          let summary = current.summary;
          for (const { delivery } of payload.updates) {
            const known = deliveries[delivery.id];
            deliveries[delivery.id] = known ? newerDelivery(known, delivery) : delivery;
            if (!summary || delivery.event.attemptCount >= summary.attemptCount) summary = delivery.event;
          }
          return { deliveries, summary };
        });
      },
      refetch,
    );
  }, [client, trackingNumber, reexecute]);

  const [retryOne, runRetryOne] = useMutation(RetryDeliveryMutation);
  const [retryAll, runRetryAll] = useMutation(RetryWholeEventMutation);
  const [retryingId, setRetryingId] = useState<string | null>(null);

  const event = result.data?.event;
  const deliveries = useMemo(() => {
    const fetched = event?.deliveries.edges.map((edge) => edge.node) ?? [];
    return fetched.map((delivery) =>
      pushed.deliveries[delivery.id] ? newerDelivery(delivery, pushed.deliveries[delivery.id]!) : delivery,
    );
  }, [event, pushed]);

  if (result.error && !event)
    return (
      <ErrorState
        title="Could not load this event"
        error={result.error}
        onRetry={() => reexecute({ requestPolicy: 'network-only' })}
      />
    );
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

  const summary =
    pushed.summary && pushed.summary.attemptCount >= event.attemptCount ? { ...event, ...pushed.summary } : event;
  const eventBlock = roleBlock ?? eventRetryBlock(deliveries);

  const afterRetry = (error: { message: string } | undefined, what: string) => {
    if (error) toast(error.message.replace(/^\[GraphQL\] /, ''), 'error');
    else toast(`Retry queued for ${what}.`);
  };

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
              onClick={() =>
                void runRetryAll({ trackingNumber: event.trackingNumber }).then((r) =>
                  afterRetry(r.error, 'this event'),
                )
              }
            >
              <RotateCcw aria-hidden size={15} />
              Retry event
            </button>
          </span>
        </div>
      </header>
      {eventBlock && summary.status !== 'delivered' ? <p className="muted small retry-why">{eventBlock}</p> : null}

      <dl className="facts">
        <div>
          <dt>Received</dt>
          <dd title={formatExact(event.receivedAt)}>{new Date(event.receivedAt).toLocaleString()}</dd>
        </div>
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
                onRetry={() => {
                  setRetryingId(delivery.id);
                  void runRetryOne({ id: delivery.id }).then((r) => afterRetry(r.error, delivery.endpoint.url));
                }}
              />
            ))
          )}
        </div>
        <div className="detail-side">
          <PayloadView body={event.body} contentType={event.contentType} encoding={event.bodyEncoding} />
        </div>
      </div>
    </div>
  );
}
