import { useQuery } from '@tanstack/react-query';
import { queries } from '../../../api/queries';
import type { Board } from '../../../api/types';
import { QueryError } from '../../../components/QueryError';

const WIDTH = 600;
const HEIGHT = 180;
const PAD = 28;

/** My scores on the selected board over time (the latest 50), oldest on the left. */
export function ScoreChart({
  token,
  board,
  poll,
}: {
  token: string;
  board: Board;
  poll: number | false;
}) {
  const scores = useQuery({ ...queries.scores(token, board.id), refetchInterval: poll });
  const points = [...(scores.data?.items ?? [])].reverse();
  // The board's range may have changed since older scores were submitted.
  const min = Math.min(board.score_min, ...points.map((p) => p.value));
  const max = Math.max(board.score_max, ...points.map((p) => p.value));
  const x = (i: number) =>
    PAD + (points.length <= 1 ? 0 : (i * (WIDTH - 2 * PAD)) / (points.length - 1));
  const y = (value: number) =>
    HEIGHT - PAD - ((value - min) * (HEIGHT - 2 * PAD)) / Math.max(1, max - min);
  const summary =
    points.length === 0
      ? 'No scores yet.'
      : `${points.length} ${points.length === 1 ? 'score' : 'scores'} from ${points[0]!.value} to ${points[points.length - 1]!.value}, ` +
        `lowest ${Math.min(...points.map((p) => p.value))}, highest ${Math.max(...points.map((p) => p.value))}.`;

  return (
    <section className="card" aria-labelledby="chart-title">
      <h2 id="chart-title">My scores over time</h2>
      <QueryError query={scores} />
      <figure className="chart">
        <svg
          viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
          role="img"
          aria-label={summary}
          preserveAspectRatio="none"
        >
          <line x1={PAD} y1={y(max)} x2={WIDTH - PAD} y2={y(max)} className="grid" />
          <line x1={PAD} y1={y(min)} x2={WIDTH - PAD} y2={y(min)} className="grid" />
          <text x={4} y={y(max) + 4} className="axis">
            {max}
          </text>
          <text x={4} y={y(min) + 4} className="axis">
            {min}
          </text>
          {points.length > 1 && (
            <polyline
              points={points.map((p, i) => `${x(i)},${y(p.value)}`).join(' ')}
              className="line"
            />
          )}
          {points.map((p, i) => (
            <circle key={p.id} cx={x(i)} cy={y(p.value)} r={3} className="dot" />
          ))}
        </svg>
        <figcaption className="hint">{summary}</figcaption>
      </figure>
    </section>
  );
}
