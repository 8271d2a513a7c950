import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { ApiError, apiFetch } from '../../../api/http';
import { queryKeys } from '../../../api/queries';
import type { SubmittedScore } from '../../../api/types';
import { submissionFor, type Submission } from '../submission';
import { unconfirmedSubmission } from '../unconfirmed-submission';

const TIMEOUT_MS = 10_000;

/**
 * Submits scores to a board so that none counts twice: the idempotency key belongs to the
 * intended submission and survives dropped responses, timeouts, double-clicks and reloads of the
 * tab; it is dropped only once the server has answered with the stored score (or refused it, a
 * 4xx). An unconfirmed submission left by the tab's previous page is sent again at once with its
 * key, and returned as `resumed`. A key is never reused on another board (the server would
 * answer with the score of the first): the caller gives each board its own instance.
 */
export function useSubmitScore(token: string, userId: string, board: string) {
  const queryClient = useQueryClient();
  const [resumed] = useState(() => unconfirmedSubmission.read(userId, board));
  const unconfirmed = useRef<Submission | null>(resumed);
  // Set synchronously on click: a second click lands before React re-renders the disabled button.
  const inFlight = useRef(false);

  const forget = (submission: Submission) => {
    if (unconfirmed.current === submission) unconfirmed.current = null;
    unconfirmedSubmission.forget(userId, board, submission.key);
  };

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
      forget(submission);
      void queryClient.invalidateQueries({ queryKey: queryKeys.scores(board) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.stats(board, 'current') });
      void queryClient.invalidateQueries({ queryKey: queryKeys.myBoards });
    },
    onError: (error, submission) => {
      // Refused, so not stored: nothing to send again. No answer, or a 5xx: it may yet be.
      if (error instanceof ApiError && error.status < 500) forget(submission);
    },
  });

  /** `onStored`: once the server answered with the stored score (not for a refusal). */
  const submit = (value: number, onStored?: () => void) => {
    if (inFlight.current) return;
    inFlight.current = true;
    unconfirmed.current = submissionFor(unconfirmed.current, value);
    unconfirmedSubmission.keep(userId, board, unconfirmed.current);
    mutation.mutate(unconfirmed.current, { onSuccess: onStored });
  };

  // Once, on mounting: the submission the previous page left unconfirmed.
  useEffect(() => {
    if (resumed) submit(resumed.value);
  }, []);

  return { submit, mutation, resumed };
}
