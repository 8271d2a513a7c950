import { useMutation, useQuery } from '@tanstack/react-query';
import { Fragment, useId, useState } from 'react';
import { errorMessage } from '../../../api/error-message';
import { apiFetch } from '../../../api/http';
import type { ApiKey } from '../../../api/types';
import { QueryState } from '../../../components/QueryState';
import { adminKeys, adminQueries } from '../api/admin-queries';
import { useRefreshAfterAction } from '../hooks/useRefreshAfterAction';
import { AdminTable } from './AdminTable';
import { Outcome } from './Outcome';
import { RelativeTime } from '../../../components/RelativeTime';

const COLUMNS = ['Name', 'Scopes', 'Boards', 'Created', 'Last used', 'Status', 'Actions'];

/** The keys made so far, revoked ones included; revoking one asks first. */
export function ApiKeyList({ token }: { token: string }) {
  const refreshAfterAction = useRefreshAfterAction();
  const ids = { title: useId(), confirm: useId() };
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const [outcome, setOutcome] = useState<string | null>(null);
  const keys = useQuery(adminQueries.apiKeys(token));
  const items = keys.data?.items ?? [];

  const revoke = useMutation({
    mutationFn: async (key: ApiKey) => {
      await apiFetch<void>(`/api/admin/api-keys/${key.id}`, { method: 'DELETE', token });
      return key;
    },
    onSuccess: (key) => {
      setRevoking(null);
      setOutcome(`Revoked the key “${key.name}”.`);
      refreshAfterAction(adminKeys.apiKeys);
    },
  });

  const startRevoking = (key: ApiKey) => {
    revoke.reset();
    setOutcome(null);
    setRevoking(key);
  };

  return (
    <section className="card wide" aria-labelledby={ids.title}>
      <h2 id={ids.title}>API keys</h2>
      <QueryState query={keys} empty={items.length === 0 && 'No API keys yet.'} />
      {items.length > 0 && (
        <AdminTable columns={COLUMNS}>
          {items.map((key) => (
            <Fragment key={key.id}>
              <tr>
                <td>{key.name}</td>
                <td>{key.scopes.join(', ')}</td>
                <td>{key.boards ? key.boards.join(', ') : 'All boards'}</td>
                <td>
                  <RelativeTime at={key.created_at} />
                </td>
                <td>{key.last_used_at ? <RelativeTime at={key.last_used_at} /> : 'Never'}</td>
                <td>
                  {key.revoked_at ? (
                    <span className="status status-revoked">
                      Revoked <RelativeTime at={key.revoked_at} />
                    </span>
                  ) : (
                    'Active'
                  )}
                </td>
                <td>
                  {!key.revoked_at && (
                    <button type="button" onClick={() => startRevoking(key)}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
              {revoking?.id === key.id && (
                <tr>
                  <td colSpan={COLUMNS.length}>
                    <div className="reason-form" role="group" aria-labelledby={ids.confirm}>
                      <p id={ids.confirm}>
                        Revoke the key “{key.name}”? Whatever uses it is refused from then on; this
                        cannot be undone.
                      </p>
                      {revoke.isError && (
                        <p className="error" role="alert">
                          {errorMessage(revoke.error)}
                        </p>
                      )}
                      <div className="actions">
                        <button
                          type="button"
                          className="danger"
                          autoFocus
                          disabled={revoke.isPending}
                          onClick={() => revoke.mutate(key)}
                        >
                          {revoke.isPending ? 'Revoking…' : 'Revoke key'}
                        </button>
                        <button type="button" onClick={() => setRevoking(null)}>
                          Cancel
                        </button>
                      </div>
                    </div>
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
        </AdminTable>
      )}
      <Outcome message={outcome} />
    </section>
  );
}
