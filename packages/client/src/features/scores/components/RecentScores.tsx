import { useQuery } from '@tanstack/react-query';
import { queries } from '../../../api/queries';
import type { Board, ScoreItem } from '../../../api/types';
import { QueryState } from '../../../components/QueryState';
import { RelativeTime } from '../../../components/RelativeTime';
import { scoreStatusLabel } from '../score-status-label';
import { summarizeMetadata } from '../summarize-metadata';
import { formatValue } from '../../boards/format-value';

/** A score's metadata in short, the whole JSON as its tooltip. */
function ContextCell({ score }: { score: ScoreItem }) {
  if (!score.metadata) return <td />;
  const { short, full } = summarizeMetadata(score.metadata);
  return (
    <td className="metadata" title={full}>
      {short}
    </td>
  );
}

/**
 * My latest scores on the selected board, with whether each has counted yet (or was removed by
 * an admin: struck through, it no longer counts), and the context the game sent with each, in
 * short (the whole of it on hover), when any did.
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
  const withContext = items.some((score) => score.metadata !== undefined);
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
              {withContext && <th scope="col">Context</th>}
            </tr>
          </thead>
          <tbody>
            {items.map((score) => (
              <tr key={score.id} className={score.status === 'removed' ? 'removed' : undefined}>
                <td>
                  <RelativeTime at={score.created_at} timeZone={board.timezone} />
                </td>
                <td className="value">{formatValue(score.value, board)}</td>
                <td>
                  <span className={`status status-${score.status}`}>
                    {scoreStatusLabel[score.status]}
                  </span>
                </td>
                {withContext && <ContextCell score={score} />}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
