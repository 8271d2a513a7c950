import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { apiFetch } from '../../../api/http';
import { queryKeys } from '../../../api/queries';
import type { Board } from '../../../api/types';
import { boardForm } from '../board-form';
import { BoardForm } from './BoardForm';

/** POST /api/admin/boards; after a success the form starts blank again. */
export function CreateBoard({ token }: { token: string }) {
  const queryClient = useQueryClient();
  const [formKey, setFormKey] = useState(0);
  const create = useMutation({
    mutationFn: async (body: Record<string, unknown>) =>
      (await apiFetch<Board>('/api/admin/boards', { method: 'POST', token, body })).body,
    onSuccess: () => {
      setFormKey((key) => key + 1);
      void queryClient.invalidateQueries({ queryKey: queryKeys.boards });
    },
  });

  return (
    <section className="card" aria-labelledby="create-board-title">
      <h2 id="create-board-title">Create a board</h2>
      <BoardForm
        key={formKey}
        mode="create"
        initial={boardForm.blank()}
        pending={create.isPending}
        error={create.error}
        submitLabel="Create board"
        onSave={(values) => create.mutate(boardForm.createBody(values))}
      />
      <div aria-live="polite" className="feedback">
        {create.isSuccess && (
          <p className="success">
            Created the board “{create.data.name}” ({create.data.id}).
          </p>
        )}
      </div>
    </section>
  );
}
