import type { Board } from '../../api/types';

export type RankingWording = {
  /** What the board ranks players by, in words: "Total this week", "Most games". */
  label: string;
  /** The title of the leaderboard's value column. */
  column: string;
};

/** A sum board's period, as "Total ..." ends: the period the board resets on. */
const SUM_SPANS: Record<string, string> = {
  never: 'all time',
  daily: 'today',
  weekly: 'this week',
  monthly: 'this month',
};

/**
 * How a board's ranking reads (SPEC 2c). A best board keeps the sort's column title ("High
 * score", "Best (lowest)"): the best is what it ranks. A board of a server that predates
 * rankings ranks by the best. `current` false: a past period, which is no longer "this week".
 */
export function describeRanking(
  board: Pick<Board, 'ranking' | 'sort' | 'reset'>,
  current = true,
): RankingWording {
  switch (board.ranking ?? 'best') {
    case 'latest':
      return { label: 'Latest', column: 'Latest score' };
    case 'sum':
      return {
        // A cron schedule has no common name: its periods are seasons.
        label: current ? `Total ${SUM_SPANS[board.reset] ?? 'this season'}` : 'Total of the period',
        column: 'Total',
      };
    case 'count':
      return { label: 'Most games', column: 'Games' };
    case 'best':
      return board.sort === 'asc'
        ? { label: 'Fastest time', column: 'Best (lowest)' }
        : { label: 'Best score', column: 'High score' };
  }
}
