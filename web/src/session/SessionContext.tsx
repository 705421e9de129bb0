/**
 * Who is signed in, for every view: the session is the httpOnly cookie, so the page
 * asks the server once at load and after signing in or out. A GraphQL `unauthenticated`
 * error (the session expired or its token was revoked) calls `expired()`, which brings
 * the sign-in page back with a note.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import {
  fetchSession,
  hasRole,
  signIn as postSession,
  signOut as deleteSession,
  type Operator,
  type OperatorRole,
} from './sessionApi.ts';

export interface Session {
  /** undefined while the first check runs. */
  operator: Operator | null | undefined;
  /** Set when the session ended by itself (expired or revoked). */
  endedNote: string | null;
  loadError: string | null;
  signIn(token: string): Promise<void>;
  signOut(): Promise<void>;
  expired(): void;
  can(role: OperatorRole): boolean;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children, initial }: { children: ReactNode; initial?: Operator | null }) {
  const [operator, setOperator] = useState<Operator | null | undefined>(initial);
  const [endedNote, setEndedNote] = useState<string | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  useEffect(() => {
    if (initial !== undefined) return;
    fetchSession().then(setOperator, (error: Error) => {
      setLoadError(error.message);
      setOperator(null);
    });
  }, [initial]);

  const signIn = useCallback(async (token: string) => {
    const who = await postSession(token);
    setEndedNote(null);
    setOperator(who);
  }, []);
  const signOut = useCallback(async () => {
    await deleteSession();
    setOperator(null);
  }, []);
  const expired = useCallback(() => {
    setEndedNote('Your session ended (it expired or its access token was revoked). Sign in again to continue.');
    setOperator(null);
  }, []);

  const value = useMemo<Session>(
    () => ({
      operator,
      endedNote,
      loadError,
      signIn,
      signOut,
      expired,
      can: (role) => hasRole(operator ?? null, role),
    }),
    [operator, endedNote, loadError, signIn, signOut, expired],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession needs a SessionProvider.');
  return session;
}

/** Why an action is not allowed for this operator, or null when it is. */
export function useRoleBlock(role: OperatorRole): string | null {
  const { can, operator } = useSession();
  return can(role)
    ? null
    : `Your access token has the ${operator?.role ?? 'viewer'} role; this needs ${role === 'admin' ? 'an admin' : 'an operator'} token.`;
}
