import type { BoardRanking } from '../../api/types';

/** The rankings an admin chooses from, each with what it means for the players' standings. */
export const RANKING_CHOICES: Array<{ value: BoardRanking; label: string; meaning: string }> = [
  {
    value: 'best',
    label: 'Best score',
    meaning:
      'Each player stands by their best score: the highest, or the lowest where lower is better.',
  },
  {
    value: 'latest',
    label: 'Latest score',
    meaning: 'Each player stands by their latest score, which replaces the one before it.',
  },
  {
    value: 'sum',
    label: 'Total',
    meaning: 'Each player stands by the sum of their scores in the period (points, coins, kills).',
  },
  {
    value: 'count',
    label: 'Most games',
    meaning: 'Each player stands by how many scores they have in the period, whatever their value.',
  },
];
