/** A secret the server shows only once (an API key, a signing secret): copy it now. */
import { TriangleAlert } from 'lucide-react';
import { CopyButton } from './CopyButton.tsx';

export function SecretOnce({ label, value, note }: { label: string; value: string; note?: string }) {
  return (
    <div className="secret-once">
      <div className="secret-head">
        <span className="field-label">{label}</span>
        <CopyButton value={value} label={`Copy ${/^[A-Z]{2}/.test(label) ? label : label.toLowerCase()}`} />
      </div>
      <code className="secret-value" data-secret={label}>
        {value}
      </code>
      <p className="secret-warning">
        <TriangleAlert aria-hidden size={14} />
        {note ?? 'Shown only this once. Copy it now and keep it somewhere safe.'}
      </p>
    </div>
  );
}
