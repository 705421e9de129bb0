/** A timestamp shown relative ("3m ago"), with the exact time on hover and for screen readers. */
import { formatExact, formatRelative } from './format.ts';
import { useNow } from './useNow.ts';

export function RelativeTime({ iso, fallback = '—' }: { iso: string | null | undefined; fallback?: string }) {
  const now = useNow();
  if (!iso) return <span className="muted">{fallback}</span>;
  const exact = formatExact(iso);
  return (
    <time dateTime={iso} title={exact} aria-label={exact} className="reltime">
      {formatRelative(iso, Math.max(now, Date.now() - 1))}
    </time>
  );
}
