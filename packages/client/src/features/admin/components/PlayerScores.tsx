import { useInfiniteQuery, useMutation, useQuery } from '@tanstack/react-query';
import { Fragment, useId, useState } from 'react';
import { apiFetch } from '../../../api/http';
import { queries } from '../../../api/queries';
import type { AdminScore, AdminUser, Board } from '../../../api/types';
import { LoadMore } from '../../../components/LoadMore';
import { QueryState } from '../../../components/QueryState';
import { formatValue } from '../../boards/format-value';
import { scoreStatusLabel } from '../../scores/score-status-label';
import { adminKeys, adminQueries } from '../api/admin-queries';
import { useRefreshAfterAction } from '../hooks/useRefreshAfterAction';
import { AdminTable } from './AdminTable';
import { Outcome } from './Outcome';
import { ReasonForm } from './ReasonForm';
import { RelativeTime } from '../../../components/RelativeTime';

const COLUMNS = ['When', 'Board', 'Score', 'Status', 'Actions'];

/** A score's value in its board's terms (format and unit), as a number until the boards load. */
function valueOn(score: AdminScore, board: Board | undefined): string {
  return board ? formatValue(score.value, board) : String(score.value);
}

/**
 * One player's scores on every board, newest first, each removable for a reason; values in each
 * board's own terms, times exact in the board's time zone on hover.
 */
export function PlayerScores({
  token,
  player,
  onClose,
}: {
  token: string;
  player: AdminUser;
  onClose: () => void;
}) {
  const refreshAfterAction = useRefreshAfterAction();
  const titleId = useId();
  const [removing, setRemoving] = useState<AdminScore | null>(null);
  const [outcome, setOutcome] = useState<string | null>(null);
  const scores = useInfiniteQuery(adminQueries.userScores(token, player.id));
  const items = scores.data?.pages.flatMap((page) => page.items) ?? [];
  const boards = useQuery(queries.boards());
  const boardOf = (score: AdminScore) => boards.data?.items.find((b) => b.id === score.board);

  const remove = useMutation({
    mutationFn: async ({ score, reason }: { score: AdminScore; reason: string }) => {
      await apiFetch<void>(`/api/admin/scores/${score.id}`, {
        method: 'DELETE',
        token,
        body: { reason },
      });
      return score;
    },
    onSuccess: (score) => {
      setRemoving(null);
      setOutcome(`Removed the score ${valueOn(score, boardOf(score))} on ${score.board}.`);
      refreshAfterAction(adminKeys.userScores(player.id));
    },
  });

  const startRemoving = (score: AdminScore) => {
    remove.reset();
    setOutcome(null);
    setRemoving(score);
  };

  return (
    <section className="card wide" aria-labelledby={titleId}>
      <div className="card-head">
        <h2 id={titleId}>
          Scores of {player.display_name} ({player.email})
        </h2>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <QueryState query={scores} empty={items.length === 0 && 'No scores.'} />
      {items.length > 0 && (
        <AdminTable columns={COLUMNS}>
          {items.map((score) => {
            const board = boardOf(score);
            const value = valueOn(score, board);
            return (
              <Fragment key={score.id}>
                <tr className={score.status === 'removed' ? 'removed' : undefined}>
                  <td>
                    <RelativeTime at={score.created_at} timeZone={board?.timezone} />
                  </td>
                  <td>{score.board}</td>
                  <td className="value">{value}</td>
                  <td>
                    <span className={`status status-${score.status}`}>
                      {scoreStatusLabel[score.status]}
                    </span>
                    {score.status === 'removed' && (
                      <p className="hint">
                        {score.removed_at && (
                          <>
                            <RelativeTime at={score.removed_at} timeZone={board?.timezone} />:{' '}
                          </>
                        )}
                        {score.removed_reason ?? 'no reason recorded'}
                      </p>
                    )}
                  </td>
                  <td>
                    {score.status !== 'removed' && (
                      <button type="button" onClick={() => startRemoving(score)}>
                        Remove
                      </button>
                    )}
                  </td>
                </tr>
                {removing?.id === score.id && (
                  <tr>
                    <td colSpan={COLUMNS.length}>
                      <ReasonForm
                        title={`Remove the score ${value} on ${score.board}`}
                        submitLabel="Remove score"
                        pending={remove.isPending}
                        error={remove.error}
                        onConfirm={(reason) => remove.mutate({ score, reason })}
                        onCancel={() => setRemoving(null)}
                      />
                    </td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </AdminTable>
      )}
      <LoadMore pages={scores} />
      <Outcome message={outcome} />
    </section>
  );
}
