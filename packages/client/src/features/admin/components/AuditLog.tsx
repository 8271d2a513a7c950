import { useInfiniteQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { errorMessage } from '../../../api/error-message';
import { adminQueries } from '../api/admin-queries';

/** What admins did, newest first, a page at a time. */
export function AuditLog({ token }: { token: string }) {
  const titleId = useId();
  const log = useInfiniteQuery(adminQueries.auditLog(token));
  const items = log.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <section className="card wide" aria-labelledby={titleId}>
      <h2 id={titleId}>Audit log</h2>
      {log.isError && (
        <p className="error" role="alert">
          {errorMessage(log.error)}
        </p>
      )}
      {log.isPending && <p className="hint">Loading…</p>}
      {log.isSuccess && items.length === 0 && <p className="empty">Nothing recorded yet.</p>}
      {items.length > 0 && (
        <div className="table-scroll">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {items.map((entry) => (
                <tr key={entry.id}>
                  <td>{new Date(entry.at).toLocaleString()}</td>
                  <td>{entry.actor_id === null ? 'None' : `user:${entry.actor_id}`}</td>
                  <td>
                    <code>{entry.action}</code>
                  </td>
                  <td>
                    <code>{entry.target}</code>
                  </td>
                  <td>{entry.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {log.hasNextPage && (
        <button
          type="button"
          onClick={() => void log.fetchNextPage()}
          disabled={log.isFetchingNextPage}
        >
          {log.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      )}
    </section>
  );
}
