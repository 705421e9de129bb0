/** A test event on its way to an endpoint, followed live until it lands (or fails). */
import { Link } from 'react-router';
import { useEffect, useState } from 'react';
import { useClient } from 'urql';
import type { DeliveryStatus, TestDeliveryFieldsFragment } from '../generated/graphql.ts';
import { subscribeForever } from '../graphql/subscribeForever.ts';
import { formatDuration } from '../ui/format.ts';
import { StatusBadge } from '../ui/StatusBadge.tsx';
import { TestDeliveryQuery, TestDeliveryUpdatedSubscription } from './mailboxDocuments.ts';

interface Landing {
  status: DeliveryStatus;
  statusCode: number | null;
  durationMs: number | null;
  error: string | null;
}

const landingOf = (delivery: TestDeliveryFieldsFragment): Landing => {
  const attempt = delivery.lastAttempt;
  return {
    status: delivery.status,
    statusCode: attempt?.statusCode ?? null,
    durationMs: attempt?.durationMs ?? null,
    error: attempt?.succeeded ? null : (attempt?.errorMessage ?? null),
  };
};
const rank: Record<DeliveryStatus, number> = { queued: 0, delivering: 1, delivered: 2, failed: 2, cancelled: 2 };

export function TestEventPanel({
  trackingNumber,
  deliveryId,
  onDismiss,
}: {
  trackingNumber: string;
  deliveryId: string;
  onDismiss(): void;
}) {
  const client = useClient();
  const [landing, setLanding] = useState<Landing>({
    status: 'queued',
    statusCode: null,
    durationMs: null,
    error: null,
  });
  useEffect(() => {
    // Statuses only move forward here (one test attempt, no retries): keep the furthest seen.
    const see = (delivery: TestDeliveryFieldsFragment | null | undefined) => {
      if (delivery)
        setLanding((current) => (rank[delivery.status] >= rank[current.status] ? landingOf(delivery) : current));
    };
    const stop = subscribeForever(client, TestDeliveryUpdatedSubscription, { eventId: trackingNumber }, (data) =>
      see(data.deliveryUpdated.updates.at(-1)?.delivery),
    );
    // A fast endpoint may answer before the subscription is set up: read the delivery once too.
    const catchUp = setTimeout(
      () =>
        void client
          .query(TestDeliveryQuery, { id: deliveryId }, { requestPolicy: 'network-only' })
          .toPromise()
          .then((result) => see(result.data?.delivery)),
      500,
    );
    return () => {
      clearTimeout(catchUp);
      stop();
    };
  }, [client, trackingNumber, deliveryId]);

  return (
    <div className={`test-panel test-${landing.status}`} role="status" aria-live="polite">
      <span className="strong">Test event</span>
      <StatusBadge status={landing.status} />
      {landing.statusCode !== null ? <span className="mono">HTTP {landing.statusCode}</span> : null}
      {landing.durationMs !== null ? <span className="muted">{formatDuration(landing.durationMs)}</span> : null}
      {landing.error ? <span className="text-bad small">{landing.error}</span> : null}
      <span className="spacer" />
      <Link to={`/events/${trackingNumber}`} className="small">
        Open event
      </Link>
      <button type="button" className="button button-ghost button-small" onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  );
}
