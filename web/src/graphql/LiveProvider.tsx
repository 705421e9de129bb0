/**
 * Gives the signed-in part of the dashboard its urql client and the live connection's
 * status. One client (and one WebSocket) per session: signing out disposes them.
 */
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import { Provider } from 'urql';
import { useSession } from '../session/SessionContext.tsx';
import {
  makeConnectionStore,
  useConnectionStatus,
  type ConnectionStatus,
  type ConnectionStore,
} from './connectionStatus.ts';
import { makeClient } from './makeClient.ts';

const ConnectionContext = createContext<ConnectionStore | null>(null);

export function LiveProvider({ children }: { children: ReactNode }) {
  const { expired } = useSession();
  const expiredRef = useRef(expired);
  expiredRef.current = expired;
  // Made in an effect, not during render, so a client (and its socket) exists only while
  // mounted: a render React throws away (strict mode, a suspended tree) opens nothing.
  const [live, setLive] = useState<{ connection: ConnectionStore; client: ReturnType<typeof makeClient> } | null>(null);
  useEffect(() => {
    const connection = makeConnectionStore();
    const client = makeClient({ connection, onUnauthenticated: () => expiredRef.current() });
    setLive({ connection, client });
    return () => client.dispose();
  }, []);
  if (!live) return null;
  return (
    <ConnectionContext.Provider value={live.connection}>
      <Provider value={live.client.client}>{children}</Provider>
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
