/** A timestamp shown relative ("3m ago"), with the exact time on hover and for screen readers. */
import { memo, useCallback, useMemo } from 'react';
import { formatExact, formatRelative } from './format.ts';
import { useClockText } from './useNow.ts';

function Relative({ iso }: { iso: string }) {
  const text = useClockText(useCallback((now: number) => formatRelative(iso, now), [iso]));
  const exact = useMemo(() => formatExact(iso), [iso]);
  return (
    <time dateTime={iso} title={exact} aria-label={exact} className="reltime">
      {text}
    </time>
  );
}

export const RelativeTime = memo(function RelativeTime({
  iso,
  fallback = '—',
}: {
  iso: string | null | undefined;
  fallback?: string;
}) {
  if (!iso) return <span className="muted">{fallback}</span>;
  return <Relative iso={iso} />;
});
