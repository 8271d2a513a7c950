import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { Fragment, useId, useState } from 'react';
import { errorMessage } from '../../../api/error-message';
import { apiFetch } from '../../../api/http';
import type { AdminScore, AdminUser } from '../../../api/types';
import { scoreStatusLabel } from '../../scores/score-status-label';
import { adminKeys, adminQueries } from '../api/admin-queries';
import { ReasonForm } from './ReasonForm';

const COLUMNS = 5;

/** One player's scores on every board, newest first, each removable for a reason. */
export function PlayerScores({
  token,
  player,
  onClose,
}: {
  token: string;
  player: AdminUser;
  onClose: () => void;
}) {
  const queryClient = useQueryClient();
  const titleId = useId();
  const [removing, setRemoving] = useState<AdminScore | null>(null);
  const [outcome, setOutcome] = useState<string | null>(null);
  const scores = useInfiniteQuery(adminQueries.userScores(token, player.id));
  const items = scores.data?.pages.flatMap((page) => page.items) ?? [];

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
      setOutcome(`Removed the score ${score.value} on ${score.board}.`);
      void queryClient.invalidateQueries({ queryKey: adminKeys.userScores(player.id) });
      void queryClient.invalidateQueries({ queryKey: adminKeys.auditLog });
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
      {scores.isError && (
        <p className="error" role="alert">
          {errorMessage(scores.error)}
        </p>
      )}
      {scores.isPending && <p className="hint">Loading…</p>}
      {scores.isSuccess && items.length === 0 && <p className="empty">No scores.</p>}
      {items.length > 0 && (
        <div className="table-scroll">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Board</th>
                <th scope="col">Score</th>
                <th scope="col">Status</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {items.map((score) => (
                <Fragment key={score.id}>
                  <tr className={score.status === 'removed' ? 'removed' : undefined}>
                    <td>{new Date(score.created_at).toLocaleString()}</td>
                    <td>{score.board}</td>
                    <td className="value">{score.value}</td>
                    <td>
                      <span className={`status status-${score.status}`}>
                        {scoreStatusLabel[score.status]}
                      </span>
                      {score.status === 'removed' && (
                        <p className="hint">
                          {score.removed_at && `${new Date(score.removed_at).toLocaleString()}: `}
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
                      <td colSpan={COLUMNS}>
                        <ReasonForm
                          title={`Remove the score ${score.value} on ${score.board}`}
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
              ))}
            </tbody>
          </table>
        </div>
      )}
      {scores.hasNextPage && (
        <button
          type="button"
          onClick={() => void scores.fetchNextPage()}
          disabled={scores.isFetchingNextPage}
        >
          {scores.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      )}
      <div aria-live="polite" className="feedback">
        {outcome && <p className="success">{outcome}</p>}
      </div>
    </section>
  );
}
