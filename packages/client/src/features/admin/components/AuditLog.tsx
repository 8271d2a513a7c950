import { useInfiniteQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { LoadMore } from '../../../components/LoadMore';
import { QueryState } from '../../../components/QueryState';
import { adminQueries } from '../api/admin-queries';
import { describeAction, describeActor } from '../describe-audit-entry';
import { AdminTable } from './AdminTable';
import { RelativeTime } from '../../../components/RelativeTime';

/** What admins did, newest first, a page at a time. */
export function AuditLog({ token }: { token: string }) {
  const titleId = useId();
  const log = useInfiniteQuery(adminQueries.auditLog(token));
  const items = log.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <section className="card wide" aria-labelledby={titleId}>
      <h2 id={titleId}>Audit log</h2>
      <QueryState query={log} empty={items.length === 0 && 'Nothing recorded yet.'} />
      {items.length > 0 && (
        <AdminTable columns={['When', 'By', 'Action', 'Reason']}>
          {items.map((entry) => (
            <tr key={entry.id}>
              <td>
                <RelativeTime at={entry.at} />
              </td>
              <td>{describeActor(entry)}</td>
              <td title={`${entry.action} ${entry.target}`}>{describeAction(entry)}</td>
              <td>{entry.reason}</td>
            </tr>
          ))}
        </AdminTable>
      )}
      <LoadMore pages={log} />
    </section>
  );
}
