/**
 * A text field that applies what is typed after a pause, or at once on Enter, where the
 * applied value comes back later as `value` (through the URL). That echo must never
 * rewrite the field: the operator may have typed more since it left. So the field takes
 * `value` only when it is not what this field last applied (as `canonical` says it comes
 * back: trimmed, normalised), i.e. when something else changed it (clear filters, the
 * back button, a link).
 */
import { useCallback, useEffect, useRef, useState } from 'react';

export interface DraftOptions {
  /** How long typing must pause before the value is applied. Default 350 ms. */
  delayMs?: number;
  /** The form an applied draft comes back in as `value`. Default: unchanged. */
  canonical?: (draft: string) => string;
}

export function useDraft(value: string, apply: (draft: string) => void, options: DraftOptions = {}) {
  const delayMs = options.delayMs ?? 350;
  const [draft, setDraft] = useState(value);
  const latest = useRef({ apply, canonical: options.canonical });
  latest.current = { apply, canonical: options.canonical };
  // What `value` will be once what this field applied has come back.
  const expected = useRef(value);
  // The draft last applied, so the pause does not apply it again after Enter did.
  const appliedDraft = useRef(value);

  useEffect(() => {
    if (value === expected.current) return;
    expected.current = value;
    appliedDraft.current = value;
    setDraft(value);
  }, [value]);

  const applyNow = useCallback((next: string) => {
    appliedDraft.current = next;
    const canonical = latest.current.canonical;
    expected.current = canonical ? canonical(next) : next;
    latest.current.apply(next);
  }, []);

  useEffect(() => {
    if (draft === appliedDraft.current) return;
    const timer = setTimeout(() => draft !== appliedDraft.current && applyNow(draft), delayMs);
    return () => clearTimeout(timer);
  }, [draft, delayMs, applyNow]);

  return [draft, setDraft, () => applyNow(draft)] as const;
}
