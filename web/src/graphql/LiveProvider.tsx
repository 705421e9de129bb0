/**
 * Gives the signed-in part of the dashboard its urql client and the live connection's
 * status. One client (and one WebSocket) per session: signing out disposes them.
 */
import { createContext, useContext, useEffect, useMemo, useRef, type ReactNode } from 'react';
import { Provider } from 'urql';
import { useSession } from '../session/SessionContext.tsx';
import { makeConnectionStore, useConnectionStatus, type ConnectionStatus, type ConnectionStore } from './connectionStatus.ts';
import { makeClient } from './makeClient.ts';

const ConnectionContext = createContext<ConnectionStore | null>(null);

export function LiveProvider({ children }: { children: ReactNode }) {
  const { expired } = useSession();
  const expiredRef = useRef(expired);
  expiredRef.current = expired;
  const connection = useMemo(() => makeConnectionStore(), []);
  const live = useMemo(() => makeClient({ connection, onUnauthenticated: () => expiredRef.current() }), [connection]);
  useEffect(() => () => live.dispose(), [live]);
  return (
    <ConnectionContext.Provider value={connection}>
      <Provider value={live.client}>{children}</Provider>
    </ConnectionContext.Provider>
  );
}

export function useConnectionStore(): ConnectionStore {
  const store = useContext(ConnectionContext);
  if (!store) throw new Error('useConnection needs a LiveProvider.');
  return store;
}

export function useConnection(): ConnectionStatus {
  return useConnectionStatus(useConnectionStore());
}
