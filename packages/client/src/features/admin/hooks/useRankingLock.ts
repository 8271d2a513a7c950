import { useInfiniteQuery } from '@tanstack/react-query';
import { queries } from '../../../api/queries';
import type { Board } from '../../../api/types';
import { GLOBAL_BOARD } from '../../boards/global-board';

/**
 * Why the board's ranking cannot change, or null while it can (SPEC 2c: only while the board has
 * no score; global always ranks by the best). Its archive tells: a past period is listed only
 * when it had scores, the current one with its players. A score not counted yet (pending, or
 * removed) does not show there: the server's refusal, `refusedForScores`, then tells.
 */
export function useRankingLock(board: Board | undefined, refusedForScores: boolean): string | null {
  const isGlobal = board?.id === GLOBAL_BOARD;
  const periods = useInfiniteQuery({
    ...queries.periods(board?.id ?? GLOBAL_BOARD),
    enabled: board !== undefined && !isGlobal,
  });
  if (!board) return null;
  if (isGlobal) return 'The global board always ranks by the best score.';
  const newest = periods.data?.pages[0]?.items ?? [];
  const scored = newest.length > 1 || newest.some((period) => period.players > 0);
  return scored || refusedForScores ? 'It cannot change: the board already has scores.' : null;
}
