/**
 * The audit log in words: what each action is called in the filter, and one readable
 * sentence per entry made from its summary (server/audit/auditLog.ts writes both the
 * actions and the summaries). Pure, so tested without a browser. An action this
 * dashboard does not know yet still shows, by its name.
 */

/** The actions, in the order the filter offers them, with their names in the filter. */
export const auditActionLabels: Record<string, string> = {
  'access_token.create': 'Access token created',
  'access_token.revoke': 'Access token revoked',
  'mailbox.create': 'Mailbox created',
  'mailbox.update': 'Mailbox renamed',
  'mailbox.delete': 'Mailbox deleted',
  'api_key.create': 'API key created',
  'api_key.revoke': 'API key revoked',
  'endpoint.create': 'Endpoint created',
  'endpoint.update': 'Endpoint changed',
  'endpoint.enable': 'Endpoint enabled',
  'endpoint.disable': 'Endpoint disabled',
  'endpoint.pause': 'Endpoint paused',
  'endpoint.resume': 'Endpoint resumed',
  'endpoint.delete': 'Endpoint deleted',
  'endpoint.reveal_secret': 'Signing secret revealed',
  'endpoint.rotate_secret': 'Signing secret rotated',
  'endpoint.send_test_event': 'Test event sent',
  'event.retry': 'Event retried',
  'event.resend': 'Event resent',
  'event.erase': 'Event erased',
  'delivery.retry': 'Delivery retried',
  'delivery.cancel': 'Delivery cancelled',
  'replay.start': 'Replay started',
  'replay.cancel': 'Replay cancelled',
  'erasure.start': 'Bulk erasure started',
  'erasure.cancel': 'Bulk erasure cancelled',
  'session.sign_in': 'Signed in',
  'session.sign_in_refused': 'Sign-in refused',
  'session.sign_out': 'Signed out',
};

export const auditTargetTypes: Record<string, string> = {
  access_token: 'Access token',
  mailbox: 'Mailbox',
  api_key: 'API key',
  endpoint: 'Endpoint',
  event: 'Event',
  delivery: 'Delivery',
  replay: 'Replay',
  erasure: 'Bulk erasure',
  session: 'Session',
};

/** Time ranges the filter offers, in ms. */
export const auditRanges = { '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 } as const;
export type AuditRange = keyof typeof auditRanges;

export function actionLabel(action: string): string {
  return auditActionLabels[action] ?? action;
}

/** Field names of an endpoint change, as people say them. */
const fieldWords: Record<string, string> = {
  url: 'URL',
  description: 'description',
  eventTypes: 'event types',
  headers: 'custom headers',
  timeoutMs: 'timeout',
  retryPolicy: 'retry policy',
};

type Summary = Record<string, unknown>;
const text = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');
const quoted = (value: unknown) => (text(value) ? `“${text(value)}”` : '');
const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The summary as JSON text (GraphQL) or an object (REST); anything else reads as empty. */
export function parseSummary(summary: string | Summary | null | undefined): Summary {
  if (!summary) return {};
  if (typeof summary !== 'string') return summary;
  try {
    const parsed: unknown = JSON.parse(summary);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Summary) : {};
  } catch {
    return {};
  }
}

/** One sentence saying what was done, from the entry's action and summary. */
export function describeAuditEntry(action: string, summary: Summary): string {
  switch (action) {
    case 'access_token.create':
      return [
        `Created access token ${quoted(summary.name)} with the ${text(summary.role) || 'unknown'} role`,
        summary.expiresAt ? `, expiring ${text(summary.expiresAt).slice(0, 10)}` : ', never expiring',
      ].join('');
    case 'access_token.revoke':
      return `Revoked access token ${quoted(summary.name)}`.trim();
    case 'mailbox.create':
      return `Created mailbox ${quoted(summary.name)}${summary.targetUrl ? ` delivering to ${text(summary.targetUrl)}` : ''}`;
    case 'mailbox.update':
      return summary.name
        ? `Renamed mailbox ${quoted(summary.previousName)} to ${quoted(summary.name)}`
        : 'Saved mailbox without changes';
    case 'mailbox.delete':
      return `Deleted mailbox ${quoted(summary.name)}`.trim();
    case 'api_key.create':
      return `Added API key ${quoted(summary.name)}`.trim();
    case 'api_key.revoke': {
      const grace = Number(summary.graceSeconds ?? 0);
      return `Revoked API key ${quoted(summary.name)}${grace > 0 ? `, stopping in ${Math.round(grace / 60)} min` : ''}`;
    }
    case 'endpoint.create':
      return `Added endpoint ${text(summary.url)}`.trim();
    case 'endpoint.update': {
      const fields = Object.keys(summary).map((field) => fieldWords[field] ?? field);
      return fields.length ? `Changed endpoint: ${fields.join(', ')}` : 'Saved endpoint without changes';
    }
    case 'endpoint.enable':
      return 'Enabled endpoint';
    case 'endpoint.disable':
      return 'Disabled endpoint';
    case 'endpoint.delete':
      return `Deleted endpoint ${text(summary.url)}`.trim();
    case 'endpoint.reveal_secret':
      return 'Revealed the signing secret';
    case 'endpoint.rotate_secret':
      return 'Rotated the signing secret';
    case 'endpoint.send_test_event':
      return `Sent a test event${summary.eventType ? ` (${text(summary.eventType)})` : ''}`;
    case 'event.retry': {
      const ids = Array.isArray(summary.deliveryIds) ? summary.deliveryIds.length : 0;
      return `Retried event: ${count(ids, 'delivery', 'deliveries')} queued again`;
    }
    case 'event.resend':
      return 'Resent event to one endpoint';
    case 'event.erase':
      return 'Erased event';
    case 'erasure.start':
      return `Started erasing ${count(Number(summary.matched ?? 0), 'matching event', 'matching events')} of a mailbox`;
    case 'erasure.cancel':
      return 'Cancelled a bulk erasure';
    case 'delivery.retry':
      return 'Retried delivery';
    case 'delivery.cancel':
      return 'Cancelled delivery';
    case 'session.sign_in':
      return `Signed in${summary.ip ? ` from ${text(summary.ip)}` : ''}`;
    case 'session.sign_in_refused':
      return `Refused a sign-in${summary.ip ? ` from ${text(summary.ip)}` : ''}`;
    case 'session.sign_out':
      return 'Signed out';
    default:
      return actionLabel(action);
  }
}
