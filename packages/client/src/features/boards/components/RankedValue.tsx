import type { Board } from '../../../api/types';
import { NO_VALUE } from '../../../components/no-value';
import { formatRanked } from '../format-value';

/** What a ranking's value is, said after it: nothing on a best board where higher is better. */
const RANKED_AS = { latest: 'latest', sum: 'total', count: 'games' } as const;

/**
 * A ranked value in the board's terms, with what it is, for tables that mix boards: "29,500
 * (lowest)", "1,250 (total)", "12 (games)", "1,480 (latest)"; a dash for none.
 */
export function RankedValue({
  value,
  board,
}: {
  value: number | null;
  board: Pick<Board, 'ranking' | 'sort' | 'display_format' | 'unit'>;
}) {
  if (value === null) return NO_VALUE;
  const ranking = board.ranking ?? 'best';
  const said = ranking === 'best' ? (board.sort === 'asc' ? 'lowest' : null) : RANKED_AS[ranking];
  return (
    <>
      {formatRanked(value, board)}
      {said && <span className="hint"> ({said})</span>}
    </>
  );
}
