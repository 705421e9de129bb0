/** The curl that sends a first event to a mailbox, ready to copy. */
import { CopyButton } from './CopyButton.tsx';

export function sendEventCurl(mailboxId: string, apiKey = '<api key>', origin = window.location.origin): string {
  return [
    `curl -X POST ${origin}/webhooks/${mailboxId} \\`,
    `  -H "x-api-key: ${apiKey}" \\`,
    `  -H "Content-Type: application/json" \\`,
    `  -d '{"event": "order.created", "data": {"order_id": "ORD-001", "amount": 299.99}}'`,
  ].join('\n');
}

export function SendEventSnippet({ mailboxId, apiKey }: { mailboxId: string; apiKey?: string }) {
  const curl = sendEventCurl(mailboxId, apiKey);
  return (
    <div className="snippet">
      <div className="snippet-head">
        <span>Send an event</span>
        <CopyButton value={curl} label="Copy command" />
      </div>
      <pre className="mono">{curl}</pre>
    </div>
  );
}
