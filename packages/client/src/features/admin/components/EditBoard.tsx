import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { ApiError, apiFetch } from '../../../api/http';
import { queryKeys } from '../../../api/queries';
import type { Board } from '../../../api/types';
import { boardForm, type BoardFormValues } from '../board-form';
import { useRankingLock } from '../hooks/useRankingLock';
import { BoardForm } from './BoardForm';

type Outcome = { kind: 'saved'; board: Board } | { kind: 'unchanged' };

/**
 * PATCH /api/admin/boards/:board with the fields that changed. The ranking is offered only while
 * the board has no score; a board the server refused a new ranking for (409) keeps its own.
 */
export function EditBoard({ token, boards }: { token: string; boards: Board[] }) {
  const queryClient = useQueryClient();
  const pickerId = useId();
  const [selected, setSelected] = useState(boards[0]?.id ?? '');
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [scoredBoards, setScoredBoards] = useState<ReadonlySet<string>>(new Set());
  const board = boards.find((b) => b.id === selected) ?? boards[0];
  const rankingLock = useRankingLock(board, board !== undefined && scoredBoards.has(board.id));

  const update = useMutation({
    mutationFn: async ({ id, changes }: { id: string; changes: Record<string, unknown> }) =>
      (await apiFetch<Board>(`/api/admin/boards/${id}`, { method: 'PATCH', token, body: changes }))
        .body,
    onSuccess: (saved) => {
      setOutcome({ kind: 'saved', board: saved });
      void queryClient.invalidateQueries({ queryKey: queryKeys.boards });
    },
    onError: (error, { id }) => {
      if (error instanceof ApiError && error.status === 409)
        setScoredBoards((known) => new Set(known).add(id));
    },
  });

  const save = (current: Board, values: BoardFormValues) => {
    const changes = boardForm.changes(current, values);
    if (Object.keys(changes).length === 0) {
      update.reset();
      setOutcome({ kind: 'unchanged' });
      return;
    }
    setOutcome(null);
    update.mutate({ id: current.id, changes });
  };

  const pick = (id: string) => {
    setSelected(id);
    setOutcome(null);
    update.reset();
  };

  return (
    <section className="card" aria-labelledby="edit-board-title">
      <h2 id="edit-board-title">Edit a board</h2>
      {board ? (
        <>
          <label htmlFor={pickerId}>Board to edit</label>
          <select id={pickerId} value={board.id} onChange={(e) => pick(e.target.value)}>
            {boards.map((b) => (
              <option key={b.id} value={b.id}>
                {b.name} ({b.id})
              </option>
            ))}
          </select>
          <p className="hint">
            Its id ({board.id}) and order ({board.sort === 'asc' ? 'lower' : 'higher'} is better)
            cannot change.
          </p>
          <BoardForm
            key={board.id}
            mode="edit"
            initial={boardForm.of(board)}
            pending={update.isPending}
            error={update.error}
            submitLabel="Save changes"
            rankingLockedBecause={rankingLock}
            onSave={(values) => save(board, values)}
          />
        </>
      ) : (
        <p className="hint">Loading…</p>
      )}
      <div aria-live="polite" className="feedback">
        {outcome?.kind === 'saved' && (
          <p className="success">
            Saved the board “{outcome.board.name}”{outcome.board.archived ? ', now archived' : ''}.
          </p>
        )}
        {outcome?.kind === 'unchanged' && (
          <p className="notice">Nothing to save: no field changed.</p>
        )}
      </div>
    </section>
  );
}
