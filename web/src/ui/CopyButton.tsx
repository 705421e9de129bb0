/** Copies a value to the clipboard and says so for a moment. */
import { Check, Copy } from 'lucide-react';
import { useEffect, useState } from 'react';

async function copy(text: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
  // Plain-HTTP pages (a Hookpost on a LAN address) have no async clipboard API.
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  document.execCommand('copy');
  area.remove();
}

export function CopyButton({
  value,
  label = 'Copy',
  compact = false,
}: {
  value: string;
  label?: string;
  compact?: boolean;
}) {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 1500);
    return () => clearTimeout(timer);
  }, [copied]);
  const Icon = copied ? Check : Copy;
  return (
    <button
      type="button"
      className={compact ? 'icon-button' : 'button button-ghost button-small'}
      aria-label={copied ? 'Copied' : label}
      title={copied ? 'Copied' : label}
      onClick={(event) => {
        event.stopPropagation();
        void copy(value).then(() => setCopied(true));
      }}
    >
      <Icon aria-hidden size={14} />
      {compact ? null : <span>{copied ? 'Copied' : label}</span>}
    </button>
  );
}
