import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { AuthPage } from '../features/auth/components/AuthPage';
import { useSession } from '../features/auth/hooks/useSession';
import { Dashboard } from './Dashboard';

export function App() {
  const { session, notice } = useSession();
  const queryClient = useQueryClient();

  // A different (or no) user must never see the previous user's cached data.
  useEffect(() => {
    if (!session) queryClient.clear();
  }, [session, queryClient]);

  return session ? (
    <Dashboard key={session.user.id} session={session} />
  ) : (
    <AuthPage notice={notice} />
  );
}
