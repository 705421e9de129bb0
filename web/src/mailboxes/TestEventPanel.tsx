/** A test event on its way to an endpoint, followed live until it lands (or fails). */
import { useEffect, useMemo } from 'react';
import { Link } from 'react-router';
import type {
  DeliveryStatus,
  TestDeliveryFieldsFragment,
  TestDeliveryQuery as TestDeliveryData,
} from '../generated/graphql.ts';
import { liveSource } from '../live/liveSource.ts';
import { useLiveQuery } from '../live/useLiveQuery.ts';
import { formatDuration } from '../ui/format.ts';
import { StatusBadge } from '../ui/StatusBadge.tsx';
import { TestDeliveryQuery, TestDeliveryUpdatedSubscription } from './mailboxDocuments.ts';

// Statuses only move forward here (one test attempt, no retries): the furthest seen wins.
const rank: Record<DeliveryStatus, number> = {
  queued: 0,
  held: 0,
  delivering: 1,
  delivered: 2,
  failed: 2,
  cancelled: 2,
};
const further = (a: TestDeliveryFieldsFragment, b: TestDeliveryFieldsFragment) =>
  rank[b.status] >= rank[a.status] ? b : a;
const withPushed = (data: TestDeliveryData, pushed: TestDeliveryFieldsFragment[]): TestDeliveryData => ({
  delivery: pushed.reduce<TestDeliveryFieldsFragment | null>(
    (shown, delivery) => (shown ? further(shown, delivery) : delivery),
    data.delivery ?? null,
  ),
});

export function TestEventPanel({
  trackingNumber,
  deliveryId,
  onDismiss,
}: {
  trackingNumber: string;
  deliveryId: string;
  onDismiss(): void;
}) {
  const live = useMemo(
    () => [
      liveSource(
        TestDeliveryUpdatedSubscription,
        { eventId: trackingNumber },
        {
          updated: (data) => data.deliveryUpdated.updates.map((update) => update.delivery),
        },
      ),
    ],
    [trackingNumber],
  );
  const result = useLiveQuery({
    query: TestDeliveryQuery,
    variables: { id: deliveryId },
    live,
    merge: withPushed,
    newer: further,
  });
  // A fast endpoint may answer while the subscription is still being set up: read once more.
  const { refetch } = result;
  useEffect(() => {
    const catchUp = setTimeout(refetch, 500);
    return () => clearTimeout(catchUp);
  }, [deliveryId]); // eslint-disable-line react-hooks/exhaustive-deps
  const delivery = result.data?.delivery;
  const attempt = delivery?.lastAttempt;
  const landing = {
    status: delivery?.status ?? 'queued',
    statusCode: attempt?.statusCode ?? null,
    durationMs: attempt?.durationMs ?? null,
    error: attempt?.succeeded ? null : (attempt?.errorMessage ?? null),
  };

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
