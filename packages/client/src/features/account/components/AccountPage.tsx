import { AccountDetails } from './AccountDetails';
import { DeleteAccount } from './DeleteAccount';
import { DisplayNameForm } from './DisplayNameForm';
import { ExportData } from './ExportData';

/**
 * The signed-in user's own account: its details, its display name to change, a copy of its data,
 * and its deletion.
 */
export function AccountPage({ token }: { token: string }) {
  return (
    <main className="account" aria-labelledby="account-title">
      <h2 id="account-title" className="page-title">
        My account
      </h2>
      <AccountDetails token={token} />
      <DisplayNameForm token={token} />
      <ExportData token={token} />
      <DeleteAccount token={token} />
    </main>
  );
}
