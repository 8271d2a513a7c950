import type { BoardSort } from '../../api/types';

export type SortWording = {
  /** What the board ranks by: the column and stat label for a player's best. */
  best: string;
  rule: string;
};

/**
 * How a board's order reads. On an asc board (race times) lower is better and a player's best is
 * their lowest score, though the API keeps calling it `high_score`.
 */
export function describeSort(sort: BoardSort): SortWording {
  return sort === 'asc'
    ? { best: 'Best (lowest)', rule: 'Lower is better' }
    : { best: 'High score', rule: 'Higher is better' };
}
