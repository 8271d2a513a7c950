import { useQueryClient, type QueryKey } from '@tanstack/react-query';
import { adminKeys } from '../api/admin-queries';

/** Refetches what an admin action changed, and the audit log, which records every action. */
export function useRefreshAfterAction(): (changed: QueryKey) => void {
  const queryClient = useQueryClient();
  return (changed) => {
    void queryClient.invalidateQueries({ queryKey: changed });
    void queryClient.invalidateQueries({ queryKey: adminKeys.auditLog });
  };
}
