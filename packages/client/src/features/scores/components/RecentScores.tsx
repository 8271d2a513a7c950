import { useQuery } from '@tanstack/react-query';
import { queries } from '../../../api/queries';
import type { ScoreStatus } from '../../../api/types';

const STATUS_LABEL: Record<ScoreStatus, string> = {
  pending: 'Pending',
  processed: 'Counted',
  dead: 'Failed',
};

export function RecentScores({ token, poll }: { token: string; poll: number | false }) {
  const scores = useQuery({ ...queries.scores(token), refetchInterval: poll });
  const items = scores.data?.items.slice(0, 10) ?? [];
  return (
    <section className="card" aria-labelledby="recent-title">
      <h2 id="recent-title">My recent scores</h2>
      {items.length === 0 ? (
        <p className="hint">{scores.isLoading ? 'Loading…' : 'No scores yet.'}</p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Score</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {items.map((score) => (
              <tr key={score.id}>
                <td>{new Date(score.created_at).toLocaleString()}</td>
                <td>{score.value}</td>
                <td>
                  <span className={`status status-${score.status}`}>
                    {STATUS_LABEL[score.status]}
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
