import { useMutation, useQuery } from '@tanstack/react-query';
import { Fragment, useId, useState } from 'react';
import { errorMessage } from '../../../api/error-message';
import { apiFetch } from '../../../api/http';
import type { Webhook } from '../../../api/types';
import { QueryState } from '../../../components/QueryState';
import { RelativeTime } from '../../../components/RelativeTime';
import { adminKeys, adminQueries } from '../api/admin-queries';
import { useRefreshAfterAction } from '../hooks/useRefreshAfterAction';
import { AdminTable } from './AdminTable';
import { Outcome } from './Outcome';
import { WebhookDeliveries } from './WebhookDeliveries';

const COLUMNS = ['URL', 'Events', 'Boards', 'Created', 'Status', 'Actions'];

/** The endpoints; each can be enabled or disabled, deleted, and its deliveries shown. */
export function WebhookList({ token }: { token: string }) {
  const refreshAfterAction = useRefreshAfterAction();
  const title = useId();
  const [open, setOpen] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<string | null>(null);
  const webhooks = useQuery(adminQueries.webhooks(token));
  const items = webhooks.data?.items ?? [];

  const change = useMutation({
    mutationFn: async ({ webhook, enabled }: { webhook: Webhook; enabled: boolean }) => {
      await apiFetch<Webhook>(`/api/admin/webhooks/${webhook.id}`, {
        method: 'PATCH',
        token,
        body: { enabled },
      });
      return { webhook, enabled };
    },
    onSuccess: ({ webhook, enabled }) => {
      setOutcome(`${enabled ? 'Enabled' : 'Disabled'} ${webhook.url}.`);
      refreshAfterAction(adminKeys.webhooks);
    },
  });
  const remove = useMutation({
    mutationFn: async (webhook: Webhook) => {
      await apiFetch<void>(`/api/admin/webhooks/${webhook.id}`, { method: 'DELETE', token });
      return webhook;
    },
    onSuccess: (webhook) => {
      setOutcome(`Deleted ${webhook.url}.`);
      refreshAfterAction(adminKeys.webhooks);
    },
  });
  const failure = change.error ?? remove.error;

  return (
    <section className="card wide" aria-labelledby={title}>
      <h2 id={title}>Webhooks</h2>
      <QueryState query={webhooks} empty={items.length === 0 && 'No webhooks yet.'} />
      {items.length > 0 && (
        <AdminTable columns={COLUMNS}>
          {items.map((webhook) => (
            <Fragment key={webhook.id}>
              <tr>
                <td>{webhook.url}</td>
                <td>{webhook.events.join(', ')}</td>
                <td>{webhook.boards ? webhook.boards.join(', ') : 'All boards'}</td>
                <td>
                  <RelativeTime at={webhook.created_at} />
                </td>
                <td>{webhook.enabled ? 'Enabled' : 'Disabled'}</td>
                <td>
                  <div className="actions">
                    <button
                      type="button"
                      aria-expanded={open === webhook.id}
                      onClick={() => setOpen(open === webhook.id ? null : webhook.id)}
                    >
                      Deliveries
                    </button>
                    <button
                      type="button"
                      disabled={change.isPending}
                      onClick={() => change.mutate({ webhook, enabled: !webhook.enabled })}
                    >
                      {webhook.enabled ? 'Disable' : 'Enable'}
                    </button>
                    <button
                      type="button"
                      className="danger"
                      disabled={remove.isPending}
                      onClick={() => remove.mutate(webhook)}
                    >
                      Delete
                    </button>
                  </div>
                </td>
              </tr>
              {open === webhook.id && (
                <tr>
                  <td colSpan={COLUMNS.length}>
                    <WebhookDeliveries token={token} webhook={webhook} />
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
        </AdminTable>
      )}
      {failure ? (
        <p className="error" role="alert">
          {errorMessage(failure)}
        </p>
      ) : null}
      <Outcome message={outcome} />
    </section>
  );
}
