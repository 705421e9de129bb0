/**
 * An operational event of the system mailbox in a line: what happened, to which endpoint,
 * and why, read from its JSON body (`{ type, occurred_at, data }`, server/alerts). A body
 * that is not that shape still gets a line, so an alert is never hidden. Pure and tested.
 */

export interface AlertSummary {
  /** What happened, in words ("Circuit opened"). */
  title: string;
  /** The endpoint it is about, when it is about one. */
  endpointId: string | null;
  url: string | null;
  /** The event whose delivery it is about (delivery.exhausted). */
  eventId: string | null;
  /** Why, or the figures that matter. */
  detail: string | null;
  /** Whether it is bad news (an operator should look). */
  bad: boolean;
}

const titles: Record<string, { title: string; bad: boolean }> = {
  'endpoint.circuit_opened': { title: 'Circuit opened', bad: true },
  'endpoint.circuit_closed': { title: 'Circuit closed', bad: false },
  'endpoint.disabled': { title: 'Endpoint disabled', bad: true },
  'endpoint.enabled': { title: 'Endpoint enabled', bad: false },
  'delivery.exhausted': { title: 'Delivery ran out of attempts', bad: true },
  'replay.finished': { title: 'Replay finished', bad: false },
};

const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value : null);
const count = (value: unknown) => (typeof value === 'number' ? value : null);

function dataOf(body: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed !== 'object' || parsed === null) return {};
    const data = (parsed as { data?: unknown }).data;
    return typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function summarizeAlert(eventType: string | null | undefined, body: string): AlertSummary {
  const type = eventType ?? '';
  const known = titles[type];
  const data = dataOf(body);
  const summary: AlertSummary = {
    title: known?.title ?? (type || 'Operational event'),
    endpointId: text(data['endpoint_id']),
    url: text(data['url']),
    eventId: text(data['event_id']),
    detail: text(data['reason']),
    bad: known?.bad ?? false,
  };
  if (type === 'endpoint.enabled' && text(data['enabled_by'])) summary.detail = `By ${text(data['enabled_by'])}.`;
  if (type === 'delivery.exhausted') {
    const attempts = count(data['attempts']);
    const status = count(data['last_status_code']);
    const error = text(data['last_error']) ?? text(data['last_error_kind']);
    const last = status !== null ? `HTTP ${status}` : error;
    summary.detail =
      [attempts !== null ? `${attempts} attempt${attempts === 1 ? '' : 's'}` : null, last ? `last: ${last}` : null]
        .filter(Boolean)
        .join(', ') || null;
  }
  if (type === 'replay.finished') {
    const total = count(data['total']);
    const requeued = count(data['requeued']);
    if (total !== null && requeued !== null)
      summary.detail = `${requeued} of ${total} failed deliver${total === 1 ? 'y' : 'ies'} put back in line.`;
  }
  return summary;
}
