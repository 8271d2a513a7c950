import { useEffect, useSyncExternalStore } from 'react';
import { onSuspended, onUnauthorized } from '../../../api/http';
import { sessionStore, type Session } from '../session-store';

const EXPIRED = 'Your session has expired or was refused. Please log in again.';
const SUSPENDED = 'Your account is suspended.';

/**
 * The current session; ends it (back to the login page) when the server refuses its token or
 * its account (banned).
 */
export function useSession(): { session: Session | null; notice: string | null } {
  const session = useSyncExternalStore(sessionStore.subscribe, () => sessionStore.current);
  const notice = useSyncExternalStore(sessionStore.subscribe, () => sessionStore.message);

  useEffect(() => onUnauthorized((token) => sessionStore.endIfCurrent(token, EXPIRED)), []);
  useEffect(() => onSuspended((token) => sessionStore.endIfCurrent(token, SUSPENDED)), []);

  useEffect(() => {
    if (!session) return;
    const timer = setTimeout(
      () => sessionStore.end('Your session has expired. Please log in again.'),
      Math.max(0, session.expiresAt - Date.now()),
    );
    return () => clearTimeout(timer);
  }, [session]);

  return { session, notice };
}
