/** The frame around every signed-in view: navigation, the live indicator, who is signed in. */
import { Activity, Bell, Inbox, Keyboard, KeyRound, LayoutDashboard, ListTree, LogOut, ScrollText } from 'lucide-react';
import { useCallback, useState } from 'react';
import { NavLink, Outlet } from 'react-router';
import { useSession } from '../session/SessionContext.tsx';
import { ConnectionIndicator } from '../ui/ConnectionIndicator.tsx';
import { Dialog } from '../ui/Dialog.tsx';
import { shortcuts, useGlobalShortcuts } from './useGlobalShortcuts.ts';

const nav = [
  { to: '/', label: 'Overview', icon: LayoutDashboard, end: true, admin: false },
  { to: '/events', label: 'Events', icon: ListTree, end: false, admin: false },
  { to: '/mailboxes', label: 'Mailboxes', icon: Inbox, end: false, admin: false },
  { to: '/alerts', label: 'Alerts', icon: Bell, end: false, admin: false },
  { to: '/access-tokens', label: 'Access tokens', icon: KeyRound, end: false, admin: true },
  { to: '/audit-log', label: 'Audit log', icon: ScrollText, end: false, admin: true },
];

export function Layout() {
  const { operator, signOut, can } = useSession();
  const [help, setHelp] = useState(false);
  useGlobalShortcuts(useCallback(() => setHelp(true), []));
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <aside className="sidebar">
        <div className="brand">
          <span className="brand-mark" aria-hidden>
            <Activity size={16} strokeWidth={2.5} />
          </span>
          Hookpost
        </div>
        <nav aria-label="Main">
          {nav
            .filter((entry) => !entry.admin || can('admin'))
            .map(({ to, label, icon: Icon, end }) => (
              <NavLink
                key={to}
                to={to}
                end={end}
                aria-label={label}
                title={label}
                className={({ isActive }) => (isActive ? 'nav-link active' : 'nav-link')}
              >
                <Icon aria-hidden size={17} />
                <span>{label}</span>
              </NavLink>
            ))}
        </nav>
        <div className="sidebar-foot">
          <ConnectionIndicator />
          <div className="whoami">
            <div className="whoami-text">
              <span className="whoami-name" title={operator?.name}>
                {operator?.name}
              </span>
              <span className={`role role-${operator?.role}`}>{operator?.role}</span>
            </div>
            <button
              type="button"
              className="icon-button"
              aria-label="Keyboard shortcuts"
              title="Keyboard shortcuts (?)"
              onClick={() => setHelp(true)}
            >
              <Keyboard aria-hidden size={16} />
            </button>
            <button
              type="button"
              className="icon-button"
              aria-label="Sign out"
              title="Sign out"
              onClick={() => void signOut()}
            >
              <LogOut aria-hidden size={16} />
            </button>
          </div>
        </div>
      </aside>
      <main id="main" className="main" tabIndex={-1}>
        <Outlet />
      </main>
      <Dialog open={help} title="Keyboard shortcuts" onClose={() => setHelp(false)}>
        <dl className="shortcuts">
          {shortcuts.map(([keys, what]) => (
            <div key={keys}>
              <dt>
                {keys
                  .split(' ')
                  .map((key, i) =>
                    key === '/' && keys.length > 1 ? <span key={i}> / </span> : <kbd key={i}>{key}</kbd>,
                  )}
              </dt>
              <dd>{what}</dd>
            </div>
          ))}
        </dl>
      </Dialog>
    </div>
  );
}
