import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef } from 'react';
import { apiFetch } from '../../../api/http';
import { queryKeys } from '../../../api/queries';
import type { SubmittedScore } from '../../../api/types';
import { submissionFor, type Submission } from '../submission';

const TIMEOUT_MS = 10_000;

/**
 * Submits scores to a board so that none counts twice: the idempotency key belongs to the
 * intended submission and survives dropped responses, timeouts and double-clicks; it is dropped
 * only once the server has answered with the stored score. A key is never reused on another
 * board (the server would answer with the score of the first): the caller gives each board its
 * own instance.
 */
export function useSubmitScore(token: string, board: string) {
  const queryClient = useQueryClient();
  const unconfirmed = useRef<Submission | null>(null);
  // Set synchronously on click: a second click lands before React re-renders the disabled button.
  const inFlight = useRef(false);

  const mutation = useMutation({
    mutationFn: async (submission: Submission) => {
      const { body } = await apiFetch<SubmittedScore>('/api/scores', {
        method: 'POST',
        token,
        body: { value: submission.value, board },
        headers: { 'Idempotency-Key': submission.key },
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      return body;
    },
    onSettled: () => {
      inFlight.current = false;
    },
    onSuccess: (_score, submission) => {
      if (unconfirmed.current === submission) unconfirmed.current = null;
      void queryClient.invalidateQueries({ queryKey: queryKeys.scores(board) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.stats(board, 'current') });
      void queryClient.invalidateQueries({ queryKey: queryKeys.myBoards });
    },
  });

  const submit = (value: number) => {
    if (inFlight.current) return;
    inFlight.current = true;
    unconfirmed.current = submissionFor(unconfirmed.current, value);
    mutation.mutate(unconfirmed.current);
  };

  return { submit, mutation };
}
