import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiFetch } from '../../../api/http';
import { queryKeys } from '../../../api/queries';
import type { Account } from '../../../api/types';
import { adminKeys } from '../../admin/api/admin-queries';
import { sessionStore } from '../../auth/session-store';

/**
 * PATCH /api/me { display_name }. Once renamed, everything that shows the name is asked again:
 * the account, every board's leaderboards and podiums (the server shows the new name on all of
 * them at once, SPEC 2c), an admin's player lists, and the name in the top bar.
 */
export function useRenameMe(token: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (displayName: string) =>
      (
        await apiFetch<Account>('/api/me', {
          method: 'PATCH',
          token,
          body: { display_name: displayName },
        })
      ).body,
    onSuccess: (account) => {
      queryClient.setQueryData<Account>(queryKeys.account, (known) =>
        known ? { ...known, ...account } : account,
      );
      sessionStore.rename(account.display_name);
      for (const queryKey of [queryKeys.leaderboards, queryKeys.allPeriods, adminKeys.users])
        void queryClient.invalidateQueries({ queryKey });
    },
  });
}
