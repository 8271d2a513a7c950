import type { Board, PeriodSelection } from '../../../api/types';
import { NO_VALUE } from '../../../components/no-value';
import { QueryError } from '../../../components/QueryError';
import { describeSort } from '../../boards/describe-sort';
import { useBoardStats } from '../hooks/useBoardStats';
import { formatValue } from '../../boards/format-value';

/** My best, count and average on the selected board and period. */
export function StatsPanel({
  token,
  board,
  period,
  poll,
}: {
  token: string;
  board: Board;
  period: PeriodSelection;
  poll: number | false;
}) {
  const stats = useBoardStats(token, board.id, period, poll);
  const data = stats.data;
  const scored = data !== undefined && data.total_scores > 0;
  return (
    <section className="card" aria-labelledby="stats-title">
      <h2 id="stats-title">My stats</h2>
      <p className="hint">
        On {board.name}, {period === 'current' ? 'this period' : 'the period shown'}.
      </p>
      <dl className="stats" aria-live="polite">
        <div>
          <dt>{describeSort(board.sort).best}</dt>
          <dd data-testid="high-score">
            {scored ? formatValue(data.high_score, board) : NO_VALUE}
          </dd>
        </div>
        <div>
          <dt>Scores</dt>
          <dd data-testid="total-scores">{data ? data.total_scores : NO_VALUE}</dd>
        </div>
        <div>
          <dt>Average</dt>
          <dd data-testid="average">{scored ? formatValue(data.average, board) : NO_VALUE}</dd>
        </div>
      </dl>
      <QueryError query={stats} />
      {data && data.pending_scores > 0 && (
        <p className="hint" data-testid="pending">
          {data.pending_scores} pending
        </p>
      )}
    </section>
  );
}
