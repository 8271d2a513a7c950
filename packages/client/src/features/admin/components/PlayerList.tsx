import { useInfiniteQuery, useMutation } from '@tanstack/react-query';
import { Fragment, useId, useState, type FormEvent } from 'react';
import { errorMessage } from '../../../api/error-message';
import { apiFetch } from '../../../api/http';
import type { AdminUser } from '../../../api/types';
import { LoadMore } from '../../../components/LoadMore';
import { QueryState } from '../../../components/QueryState';
import { distinctNames } from '../../players/distinct-names';
import { adminKeys, adminQueries } from '../api/admin-queries';
import { useRefreshAfterAction } from '../hooks/useRefreshAfterAction';
import { AdminTable } from './AdminTable';
import { Outcome } from './Outcome';
import { ConfirmAction } from './ConfirmAction';
import { ReasonForm } from './ReasonForm';
import { RelativeTime } from '../../../components/RelativeTime';

const COLUMNS = ['Email', 'Display name', 'Role', 'Status', 'Created', 'Actions'];

/**
 * Players found by the start of their email or display name (everyone when the search is
 * empty), newest first, with Ban (for a reason), Unban and Delete (once confirmed: the account
 * and all its data, for good). The admin's own row has neither.
 */
export function PlayerList({
  token,
  userId,
  opened,
  onOpen,
}: {
  token: string;
  userId: string;
  opened: string | null;
  onOpen: (player: AdminUser) => void;
}) {
  const refreshAfterAction = useRefreshAfterAction();
  const ids = { title: useId(), search: useId(), hint: useId() };
  const [typed, setTyped] = useState('');
  const [search, setSearch] = useState('');
  const [acting, setActing] = useState<{ player: AdminUser; action: 'ban' | 'delete' } | null>(
    null,
  );
  const [outcome, setOutcome] = useState<string | null>(null);
  const players = useInfiniteQuery(adminQueries.users(token, search));
  const items = players.data?.pages.flatMap((page) => page.items) ?? [];
  const names = distinctNames(items.map((p) => ({ id: p.id, name: p.display_name })));

  const ban = useMutation({
    mutationFn: async ({ player, reason }: { player: AdminUser; reason: string }) =>
      (
        await apiFetch<AdminUser>(`/api/admin/users/${player.id}/ban`, {
          method: 'POST',
          token,
          body: { reason },
        })
      ).body,
    onSuccess: (player) => {
      setActing(null);
      setOutcome(`Banned ${player.email}.`);
      refreshAfterAction(adminKeys.users);
    },
  });
  const unban = useMutation({
    mutationFn: async (player: AdminUser) =>
      (
        await apiFetch<AdminUser>(`/api/admin/users/${player.id}/unban`, {
          method: 'POST',
          token,
          body: {},
        })
      ).body,
    onSuccess: (player) => {
      setOutcome(`Unbanned ${player.email}.`);
      refreshAfterAction(adminKeys.users);
    },
  });

  const deletion = useMutation({
    mutationFn: async (player: AdminUser) => {
      await apiFetch<void>(`/api/admin/users/${player.id}`, { method: 'DELETE', token });
      return player;
    },
    onSuccess: (player) => {
      setActing(null);
      setOutcome(`Deleted ${player.email} and all their data.`);
      refreshAfterAction(adminKeys.users);
    },
  });

  const submitSearch = (event: FormEvent) => {
    event.preventDefault();
    setSearch(typed.trim());
  };
  const start = (player: AdminUser, action: 'ban' | 'delete') => {
    ban.reset();
    unban.reset();
    deletion.reset();
    setOutcome(null);
    setActing({ player, action });
  };
  const doUnban = (player: AdminUser) => {
    setActing(null);
    setOutcome(null);
    unban.mutate(player);
  };

  return (
    <section className="card wide" aria-labelledby={ids.title}>
      <h2 id={ids.title}>Players</h2>
      <form role="search" aria-label="Find players" className="search-form" onSubmit={submitSearch}>
        <label htmlFor={ids.search}>Search players</label>
        <input
          id={ids.search}
          type="search"
          autoComplete="off"
          spellCheck={false}
          aria-describedby={ids.hint}
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
        />
        <button type="submit">Search</button>
      </form>
      <p id={ids.hint} className="hint">
        The start of an email or a display name; empty lists everyone, newest first.
      </p>
      <QueryState
        query={players}
        empty={
          items.length === 0 && (search ? `No player matches “${search}”.` : 'No players yet.')
        }
      />
      {items.length > 0 && (
        <AdminTable columns={COLUMNS}>
          {items.map((player) => (
            <Fragment key={player.id}>
              <tr aria-current={player.id === opened ? 'true' : undefined}>
                <td>
                  <button type="button" className="link" onClick={() => onOpen(player)}>
                    {player.email}
                  </button>
                </td>
                <td>{names.get(player.id)}</td>
                <td>{player.role === 'admin' ? 'Admin' : 'Player'}</td>
                <td>
                  {player.banned_at ? (
                    <span className="status status-banned">
                      Banned <RelativeTime at={player.banned_at} />
                    </span>
                  ) : (
                    'Active'
                  )}
                </td>
                <td>
                  <RelativeTime at={player.created_at} />
                </td>
                <td>
                  {player.id === userId ? (
                    <span className="hint">You</span>
                  ) : (
                    <span className="row-actions">
                      {player.banned_at ? (
                        <button
                          type="button"
                          disabled={unban.isPending}
                          onClick={() => doUnban(player)}
                        >
                          Unban
                        </button>
                      ) : (
                        <button type="button" onClick={() => start(player, 'ban')}>
                          Ban
                        </button>
                      )}
                      <button type="button" onClick={() => start(player, 'delete')}>
                        Delete
                      </button>
                    </span>
                  )}
                </td>
              </tr>
              {acting?.player.id === player.id && (
                <tr>
                  <td colSpan={COLUMNS.length}>
                    {acting.action === 'ban' ? (
                      <ReasonForm
                        title={`Ban ${player.email}`}
                        submitLabel="Ban player"
                        pending={ban.isPending}
                        error={ban.error}
                        onConfirm={(reason) => ban.mutate({ player, reason })}
                        onCancel={() => setActing(null)}
                      />
                    ) : (
                      <ConfirmAction
                        title={`Delete ${player.email}`}
                        warning="This deletes the account, its scores and its standings for good: it cannot be undone. The audit log keeps that you did it."
                        confirmLabel="Delete account"
                        pending={deletion.isPending}
                        error={deletion.error}
                        onConfirm={() => deletion.mutate(player)}
                        onCancel={() => setActing(null)}
                      />
                    )}
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
        </AdminTable>
      )}
      <LoadMore pages={players} />
      <Outcome message={outcome} />
      {unban.isError && (
        <p className="error" role="alert">
          {errorMessage(unban.error)}
        </p>
      )}
    </section>
  );
}
