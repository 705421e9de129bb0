/** The browser tab says which view it is ("Events · Hookpost"), for people with many tabs and for screen readers. */
import { useEffect } from 'react';

export function usePageTitle(title: string) {
  useEffect(() => {
    document.title = title ? `${title} · Hookpost` : 'Hookpost';
  }, [title]);
}
