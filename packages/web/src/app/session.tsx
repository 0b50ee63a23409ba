import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { authRoutes, type User } from '@retrosync/api';
import { call, onSessionLost } from '../api/client';
import { isUnauthorized } from '../api/errors';

type SessionState =
  | { status: 'loading' }
  | { status: 'signed-out' }
  | { status: 'signed-in'; user: User }
  | { status: 'error'; error: unknown };

type Session = {
  state: SessionState;
  /** Re-reads the signed-in user from the cookie session. */
  refresh: () => Promise<void>;
  /** Stores the user returned by login/register/account changes. */
  setUser: (user: User | null) => void;
  logout: () => Promise<void>;
};

const SessionContext = createContext<Session | null>(null);

/**
 * The session cookie is HttpOnly, so the page cannot see it; the server that serves
 * index.html adds `<meta name="retrosync-session">` when the request carried it. Without
 * that hint a visitor is signed out, and the dashboard skips a pointless 401 round trip.
 * (The Vite dev server has no such hint: there, always ask.)
 */
function mayHaveSession(): boolean {
  return import.meta.env.DEV || document.querySelector('meta[name="retrosync-session"]') !== null;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });

  const refresh = useCallback(async () => {
    if (!mayHaveSession()) {
      setState({ status: 'signed-out' });
      return;
    }
    try {
      const data = await call(authRoutes.me, {});
      setState({ status: 'signed-in', user: data.user });
    } catch (error) {
      setState(isUnauthorized(error) ? { status: 'signed-out' } : { status: 'error', error });
    }
  }, []);

  const setUser = useCallback((user: User | null) => {
    setState(user ? { status: 'signed-in', user } : { status: 'signed-out' });
  }, []);

  const logout = useCallback(async () => {
    try {
      await call(authRoutes.logout, {});
    } finally {
      setState({ status: 'signed-out' });
    }
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  // Any signed-in request answering 401 (expired, password changed elsewhere, account gone)
  // signs the page out; the router then offers the sign-in page.
  useEffect(() => onSessionLost(() => setState((current) => (current.status === 'signed-in' ? { status: 'signed-out' } : current))), []);

  const value = useMemo(() => ({ state, refresh, setUser, logout }), [state, refresh, setUser, logout]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

/** The signed-in user; only for components rendered inside the dashboard guard. */
export function useUser(): User {
  const { state } = useSession();
  if (state.status !== 'signed-in') throw new Error('useUser without a signed-in user');
  return state.user;
}
