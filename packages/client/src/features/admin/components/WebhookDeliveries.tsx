import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { errorMessage } from '../../../api/error-message';
import { apiFetch } from '../../../api/http';
import type { Webhook, WebhookDelivery } from '../../../api/types';
import { QueryState } from '../../../components/QueryState';
import { RelativeTime } from '../../../components/RelativeTime';
import { adminKeys, adminQueries } from '../api/admin-queries';
import { useRefreshAfterAction } from '../hooks/useRefreshAfterAction';
import { AdminTable } from './AdminTable';
import { Outcome } from './Outcome';

const COLUMNS = ['Event', 'Status', 'Attempts', 'Last answer', 'Next attempt', 'Actions'];

/** The newest deliveries of one endpoint, each with a Redeliver. */
export function WebhookDeliveries({ token, webhook }: { token: string; webhook: Webhook }) {
  const refreshAfterAction = useRefreshAfterAction();
  const [outcome, setOutcome] = useState<string | null>(null);
  const deliveries = useQuery(adminQueries.webhookDeliveries(token, webhook.id));
  const items = deliveries.data?.items ?? [];
  const redeliver = useMutation({
    mutationFn: async (delivery: WebhookDelivery) => {
      await apiFetch<void>(
        `/api/admin/webhooks/${webhook.id}/deliveries/${delivery.id}/redeliver`,
        { method: 'POST', token },
      );
      return delivery;
    },
    onSuccess: (delivery) => {
      setOutcome(`Redelivery of ${delivery.event} queued.`);
      refreshAfterAction(adminKeys.webhookDeliveries(webhook.id));
    },
  });

  return (
    <div aria-label={`Deliveries to ${webhook.url}`} role="group">
      <QueryState query={deliveries} empty={items.length === 0 && 'No deliveries yet.'} />
      {items.length > 0 && (
        <AdminTable columns={COLUMNS}>
          {items.map((delivery) => (
            <tr key={delivery.id}>
              <td>
                <code>{delivery.event}</code>
              </td>
              <td>
                <span className={`status status-${delivery.status}`}>{delivery.status}</span>
              </td>
              <td>{delivery.attempts}</td>
              <td>
                {delivery.last_status_code ?? delivery.last_error ?? (
                  <span className="hint">none yet</span>
                )}
              </td>
              <td>
                {delivery.next_attempt_at ? <RelativeTime at={delivery.next_attempt_at} /> : '—'}
              </td>
              <td>
                <button
                  type="button"
                  disabled={redeliver.isPending}
                  onClick={() => redeliver.mutate(delivery)}
                >
                  Redeliver
                </button>
              </td>
            </tr>
          ))}
        </AdminTable>
      )}
      {redeliver.isError && (
        <p className="error" role="alert">
          {errorMessage(redeliver.error)}
        </p>
      )}
      <Outcome message={outcome} />
    </div>
  );
}
