/**
 * An event's body as it was received: pretty JSON when it is JSON, text otherwise, base64
 * for bytes; for an erased event, that it was erased and when (there is no body left).
 */
import { CopyButton } from '../ui/CopyButton.tsx';
import { formatDateTime } from '../ui/format.ts';

export function prettyBody(
  body: string,
  contentType: string,
  encoding: 'utf8' | 'base64',
): { text: string; kind: 'json' | 'text' | 'base64' } {
  if (encoding === 'base64') return { text: body, kind: 'base64' };
  if (/json/i.test(contentType)) {
    try {
      return { text: JSON.stringify(JSON.parse(body), null, 2), kind: 'json' };
    } catch {
      // Declared JSON but not parseable: show it exactly as received.
    }
  }
  return { text: body, kind: 'text' };
}

export function PayloadView({
  body,
  contentType,
  encoding,
  erasedAt,
}: {
  body: string;
  contentType: string;
  encoding: 'utf8' | 'base64';
  /** When the event was erased, if it was. */
  erasedAt?: string | null;
}) {
  if (erasedAt)
    return (
      <section className="card" aria-labelledby="payload-title">
        <header className="card-header">
          <h2 id="payload-title">Payload</h2>
        </header>
        <p className="notice" data-testid="payload-erased">
          Erased {formatDateTime(erasedAt)}: the payload and the responses its attempts captured were deleted for good.
          This record stays so the history shows the event existed.
        </p>
      </section>
    );
  const pretty = prettyBody(body, contentType, encoding);
  return (
    <section className="card" aria-labelledby="payload-title">
      <header className="card-header">
        <h2 id="payload-title">Payload</h2>
        <span className="muted small mono">{contentType}</span>
        {pretty.kind === 'base64' ? <span className="muted small">binary, shown as base64</span> : null}
        <span className="spacer" />
        <CopyButton value={body} label="Copy payload" />
      </header>
      <pre className={`code-block ${pretty.kind === 'json' ? 'json' : ''}`} tabIndex={0}>
        {pretty.text}
      </pre>
    </section>
  );
}
