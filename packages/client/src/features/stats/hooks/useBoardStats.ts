import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { queries, queryKeys } from '../../../api/queries';
import type { PeriodSelection } from '../../../api/types';
import { GLOBAL_BOARD } from '../../boards/global-board';

/** How often stats with pending scores are fetched again, until none is pending. */
const SETTLING_MS = 1000;

/**
 * My stats on a board and period. The stream pushes my stats on the global board's current
 * period only, and elsewhere only rank changes; so there, while the server reports scores of mine
 * as pending, the stats are fetched again until none is, and then what depends on them (my rank
 * and its neighbourhood, my boards, my scores' statuses) once more.
 */
export function useBoardStats(
  token: string,
  board: string,
  period: PeriodSelection,
  poll: number | false,
) {
  const queryClient = useQueryClient();
  const pushed = board === GLOBAL_BOARD && period === 'current';
  const stats = useQuery({
    ...queries.stats(token, board, period),
    refetchInterval: (query) =>
      !pushed && (query.state.data?.pending_scores ?? 0) > 0 ? SETTLING_MS : poll,
  });
  const pending = (stats.data?.pending_scores ?? 0) > 0;
  const wasPending = useRef(pending);

  useEffect(() => {
    if (wasPending.current && !pending && !pushed) {
      void queryClient.invalidateQueries({ queryKey: queryKeys.myStanding(board, period) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.myBoards });
      void queryClient.invalidateQueries({ queryKey: queryKeys.scores(board) });
    }
    wasPending.current = pending;
  }, [pending, pushed, board, period, queryClient]);

  return stats;
}
