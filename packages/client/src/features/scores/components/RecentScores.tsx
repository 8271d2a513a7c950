import { useQuery } from '@tanstack/react-query';
import { queries } from '../../../api/queries';
import type { Board } from '../../../api/types';
import { QueryState } from '../../../components/QueryState';
import { scoreStatusLabel } from '../score-status-label';
import { RelativeTime } from '../../../components/RelativeTime';

/**
 * My latest scores on the selected board, with whether each has counted yet (or was removed by
 * an admin: struck through, it no longer counts).
 */
export function RecentScores({
  token,
  board,
  poll,
}: {
  token: string;
  board: Board;
  poll: number | false;
}) {
  const scores = useQuery({ ...queries.scores(token, board.id), refetchInterval: poll });
  const items = scores.data?.items.slice(0, 10) ?? [];
  return (
    <section className="card" aria-labelledby="recent-title">
      <h2 id="recent-title">My recent scores</h2>
      <QueryState query={scores} empty={items.length === 0 && 'No scores yet.'} />
      {items.length > 0 && (
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
              <tr key={score.id} className={score.status === 'removed' ? 'removed' : undefined}>
                <td>
                  <RelativeTime at={score.created_at} />
                </td>
                <td className="value">{score.value}</td>
                <td>
                  <span className={`status status-${score.status}`}>
                    {scoreStatusLabel[score.status]}
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
