import { useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { queries } from '../../../api/queries';
import { QueryState } from '../../../components/QueryState';
import { RelativeTime } from '../../../components/RelativeTime';

/** GET /api/me as the user sees it. */
export function AccountDetails({ token }: { token: string }) {
  const titleId = useId();
  const account = useQuery(queries.account(token));
  return (
    <section className="card" aria-labelledby={titleId}>
      <h2 id={titleId}>Account details</h2>
      <QueryState query={account} />
      {account.data && (
        <dl className="details">
          <dt>Email</dt>
          <dd>{account.data.email}</dd>
          <dt>Display name</dt>
          <dd>{account.data.display_name}</dd>
          <dt>Role</dt>
          <dd>{account.data.role === 'admin' ? 'Admin' : 'Player'}</dd>
          <dt>Created</dt>
          <dd>
            <RelativeTime at={account.data.created_at} />
          </dd>
        </dl>
      )}
    </section>
  );
}
