/**
 * Keys for people who keep the dashboard open all day: `g o`, `g e`, `g m`, `g a` go to the
 * overview, events, mailboxes and alerts; `/` jumps to the search box of the page; `?` shows the list.
 * Keys typed into a field are left alone.
 */
import { useEffect } from 'react';
import { useNavigate } from 'react-router';
import { isTyping } from '../ui/isTyping.ts';

export function useGlobalShortcuts(onHelp: () => void) {
  const navigate = useNavigate();
  useEffect(() => {
    let pendingG = 0;
    const onKey = (event: KeyboardEvent) => {
      if (event.metaKey || event.ctrlKey || event.altKey || isTyping(event.target)) return;
      if (event.key === '/') {
        const search = document.querySelector<HTMLInputElement>('[data-search]');
        if (search) {
          event.preventDefault();
          search.focus();
        }
        return;
      }
      if (event.key === '?') return onHelp();
      if (event.key === 'g') {
        pendingG = Date.now();
        return;
      }
      if (Date.now() - pendingG < 1000) {
        const to = { o: '/', e: '/events', m: '/mailboxes', a: '/alerts' }[event.key];
        pendingG = 0;
        // A shortcut does not wait for the page it opens.
        if (to) void navigate(to);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [navigate, onHelp]);
}

export const shortcuts: [keys: string, what: string][] = [
  ['g o', 'Overview'],
  ['g e', 'Events'],
  ['g m', 'Mailboxes'],
  ['g a', 'Alerts'],
  ['/', 'Search events (tracking number, event type)'],
  ['j / k', 'Next / previous event in the list'],
  ['Enter', 'Open the event'],
  ['x', 'Select the event'],
  ['?', 'This list'],
];
