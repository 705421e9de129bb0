/**
 * Previous / next page of a list the server pages with cursors (Relay connections), with
 * the page in the URL (`?after=…` or `?before=…`) so a reload or a shared link stays on it.
 */
import { ChevronLeft, ChevronRight } from 'lucide-react';
import { useSearchParams } from 'react-router';

export const PAGE_SIZE = 50;

export interface PageVariables {
  first?: number;
  after?: string;
  last?: number;
  before?: string;
}

/** The page the URL asks for, as connection arguments. */
export function usePageVariables(): PageVariables {
  const [params] = useSearchParams();
  const after = params.get('after');
  const before = params.get('before');
  if (before) return { last: PAGE_SIZE, before };
  return after ? { first: PAGE_SIZE, after } : { first: PAGE_SIZE };
}

export function Pager({
  pageInfo,
  label,
}: {
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor?: string | null; endCursor?: string | null };
  label: string;
}) {
  const [params, setParams] = useSearchParams();
  // Paging backwards, hasNextPage is not computed by the server: there is a next page when we came from one.
  const hasNext = pageInfo.hasNextPage || params.has('before');
  const hasPrevious = pageInfo.hasPreviousPage || params.has('after');
  if (!hasNext && !hasPrevious) return null;
  const go = (key: 'after' | 'before', cursor: string | null | undefined) => {
    const next = new URLSearchParams(params);
    next.delete('after');
    next.delete('before');
    if (cursor) next.set(key, cursor);
    setParams(next);
  };
  return (
    <nav className="pager" aria-label={label}>
      <button
        type="button"
        className="button button-small"
        disabled={!hasPrevious}
        onClick={() => go('before', pageInfo.startCursor)}
      >
        <ChevronLeft aria-hidden size={14} />
        Previous
      </button>
      <button
        type="button"
        className="button button-small"
        disabled={!hasNext}
        onClick={() => go('after', pageInfo.endCursor)}
      >
        Next
        <ChevronRight aria-hidden size={14} />
      </button>
    </nav>
  );
}
