import { useQuery } from '@tanstack/react-query';
import { queries } from '../../../api/queries';

export function StatsPanel({ token, poll }: { token: string; poll: number | false }) {
  const stats = useQuery({ ...queries.stats(token), refetchInterval: poll });
  const data = stats.data;
  return (
    <section className="card" aria-labelledby="stats-title">
      <h2 id="stats-title">My stats</h2>
      <dl className="stats" aria-live="polite">
        <div>
          <dt>High score</dt>
          <dd data-testid="high-score">{data ? data.high_score : '–'}</dd>
        </div>
        <div>
          <dt>Scores</dt>
          <dd data-testid="total-scores">{data ? data.total_scores : '–'}</dd>
        </div>
        <div>
          <dt>Average</dt>
          <dd data-testid="average">{data ? data.average.toFixed(2) : '–'}</dd>
        </div>
      </dl>
      {data && data.pending_scores > 0 && (
        <p className="hint" data-testid="pending">
          {data.pending_scores} pending
        </p>
      )}
    </section>
  );
}
