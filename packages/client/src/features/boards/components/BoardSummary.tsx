import type { Board } from '../../../api/types';
import { describeRanking } from '../describe-ranking';
import { describeReset } from '../describe-reset';
import { describeSort } from '../describe-sort';
import { ResetCountdown } from './ResetCountdown';

/**
 * The selected board's rules: what it ranks by, its order, range, schedule, and the time to its next reset (or
 * that it never resets).
 */
export function BoardSummary({ board, onReset }: { board: Board; onReset: () => void }) {
  const sort = describeSort(board.sort);
  return (
    <div className="board-summary">
      <p>
        <span className="sort-rule" data-testid="board-ranking">
          {describeRanking(board).label}
        </span>{' '}
        <span className={`sort-rule sort-${board.sort}`}>{sort.rule}</span>{' '}
        <span className="hint">
          Scores from {board.score_min} to {board.score_max}.
          {board.reset !== 'never' && ` ${describeReset(board.reset, board.timezone)}.`}
        </span>
      </p>
      <ResetCountdown endsAt={board.current_period.ends_at} onElapsed={onReset} />
    </div>
  );
}
