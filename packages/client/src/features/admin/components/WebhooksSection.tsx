import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { apiFetch } from '../../../api/http';
import type { CreatedWebhook } from '../../../api/types';
import { adminKeys } from '../api/admin-queries';
import { useRefreshAfterAction } from '../hooks/useRefreshAfterAction';
import { CreateWebhook, type NewWebhookRequest } from './CreateWebhook';
import { NewWebhookSecret } from './NewWebhookSecret';
import { WebhookList } from './WebhookList';

/**
 * Webhooks: registering an endpoint (its signing secret shown once, right after), the list of
 * endpoints with their delivery logs, enabling, disabling, deleting, redelivering.
 */
export function WebhooksSection({ token }: { token: string }) {
  const refreshAfterAction = useRefreshAfterAction();
  const [formKey, setFormKey] = useState(0);
  const create = useMutation({
    mutationFn: async (body: NewWebhookRequest) =>
      (await apiFetch<CreatedWebhook>('/api/admin/webhooks', { method: 'POST', token, body })).body,
    onSuccess: () => {
      setFormKey((key) => key + 1);
      refreshAfterAction(adminKeys.webhooks);
    },
  });

  return (
    <>
      <CreateWebhook
        key={formKey}
        pending={create.isPending}
        error={create.error}
        onCreate={(body) => create.mutate(body)}
      />
      {create.data && (
        <NewWebhookSecret
          key={create.data.id}
          created={create.data}
          onDone={() => create.reset()}
        />
      )}
      <WebhookList token={token} />
    </>
  );
}
