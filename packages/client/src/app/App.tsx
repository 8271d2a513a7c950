import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { AuthPage } from '../features/auth/components/AuthPage';
import { useSession } from '../features/auth/hooks/useSession';
import { sessionStore } from '../features/auth/session-store';
import { Dashboard } from './Dashboard';

export function App() {
  const { session, notice } = useSession();
  const queryClient = useQueryClient();

  // A different (or no) user must never see the previous user's cached data: the cache is
  // dropped as the session changes hands, before the next user's dashboard renders.
  useEffect(() => {
    let user = sessionStore.current?.user.id;
    return sessionStore.subscribe(() => {
      const next = sessionStore.current?.user.id;
      if (next !== user) queryClient.clear();
      user = next;
    });
  }, [queryClient]);

  if (!session) return <AuthPage notice={notice} />;
  return (
    <>
      {notice && (
        <p className="notice banner" role="status">
          {notice}
        </p>
      )}
      <Dashboard key={session.user.id} session={session} />
    </>
  );
}
