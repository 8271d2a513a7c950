import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { apiFetch } from '../../../api/http';
import type { Board, CreatedApiKey } from '../../../api/types';
import { adminKeys } from '../api/admin-queries';
import { useRefreshAfterAction } from '../hooks/useRefreshAfterAction';
import { ApiKeyList } from './ApiKeyList';
import { CreateApiKey, type NewApiKeyRequest } from './CreateApiKey';
import { NewApiKey } from './NewApiKey';

/**
 * API keys for trusted servers: creating one (its key shown once, right after; the form starts
 * blank again), the list of keys, and revoking one.
 */
export function ApiKeysSection({ token, boards }: { token: string; boards: Board[] }) {
  const refreshAfterAction = useRefreshAfterAction();
  const [formKey, setFormKey] = useState(0);
  const create = useMutation({
    mutationFn: async (body: NewApiKeyRequest) =>
      (await apiFetch<CreatedApiKey>('/api/admin/api-keys', { method: 'POST', token, body })).body,
    onSuccess: () => {
      setFormKey((key) => key + 1);
      refreshAfterAction(adminKeys.apiKeys);
    },
  });

  return (
    <>
      <CreateApiKey
        key={formKey}
        boards={boards}
        pending={create.isPending}
        error={create.error}
        onCreate={(body) => create.mutate(body)}
      />
      {create.data && (
        <NewApiKey key={create.data.id} created={create.data} onDone={() => create.reset()} />
      )}
      <ApiKeyList token={token} />
    </>
  );
}
