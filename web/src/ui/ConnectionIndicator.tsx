/** Says whether updates are arriving live, so nobody trusts a frozen page. */
import { useConnection } from '../graphql/LiveProvider.tsx';
import { formatRelative } from './format.ts';
import { useNow } from './useNow.ts';

export function ConnectionIndicator() {
  const { state, lostAt } = useConnection();
  const now = useNow();
  const text = state === 'live' ? 'Live' : state === 'connecting' ? 'Connecting…' : `Reconnecting…`;
  const detail =
    state === 'live'
      ? 'Updates are pushed as they happen.'
      : state === 'connecting'
        ? 'Opening the live connection.'
        : `Connection lost ${lostAt ? formatRelative(new Date(lostAt).toISOString(), now) : ''}; retrying. What you see may be out of date.`;
  return (
    <div
      className={`connection connection-${state}`}
      role="status"
      aria-live="polite"
      title={detail}
      data-connection={state}
    >
      <span className="connection-dot" aria-hidden />
      <span className="connection-text">{text}</span>
    </div>
  );
}
