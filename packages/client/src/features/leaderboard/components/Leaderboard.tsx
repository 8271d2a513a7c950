import { useQuery } from '@tanstack/react-query';
import { ApiError } from '../../../api/http';
import { queries } from '../../../api/queries';
import type { Board, LeaderboardEntry, PeriodSelection, PeriodState } from '../../../api/types';
import { QueryError } from '../../../components/QueryError';
import { describeRanking } from '../../boards/describe-ranking';
import { describeSort } from '../../boards/describe-sort';
import { formatPeriod } from '../../boards/format-period';
import { formatRanked } from '../../boards/format-value';
import { distinctNames } from '../../players/distinct-names';

function Rows({
  entries,
  names,
  me,
  board,
}: {
  entries: LeaderboardEntry[];
  names: Map<string, string>;
  me: string;
  board: Board;
}) {
  return (
    <>
      {entries.map((entry) => (
        <tr
          key={entry.user_id}
          className={entry.user_id === me ? 'me' : undefined}
          aria-current={entry.user_id === me ? 'true' : undefined}
        >
          <td>{entry.rank}</td>
          <td>
            {names.get(entry.user_id)}
            {entry.user_id === me && <span className="you"> (you)</span>}
          </td>
          <td>{formatRanked(entry.value ?? entry.high_score, board)}</td>
        </tr>
      ))}
    </>
  );
}

function periodLine(period: PeriodState, board: Board): string {
  const dates = formatPeriod(period, board.timezone);
  if (period.id === board.current_period.id) return `${dates} (current)`;
  return `${dates} (${period.final ? 'final' : 'counting the last scores'})`;
}

/** "Top 0.5 %": the share of the ranked players at or above my rank (SPEC 2c). */
function topShare(percentile: number | null | undefined): string | null {
  return typeof percentile === 'number' ? `Top ${percentile} %` : null;
}

/**
 * The top 10 of the board in the chosen period and, when I am not among them, my neighbourhood;
 * my row is highlighted. The value column is what the board ranks by (a best, the latest score,
 * a total, a number of games); on an asc board lower ranks first.
 */
export function Leaderboard({
  token,
  userId,
  board,
  period,
  poll,
}: {
  token: string;
  userId: string;
  board: Board;
  period: PeriodSelection;
  poll: number | false;
}) {
  const top = useQuery({ ...queries.leaderboard(board.id, period), refetchInterval: poll });
  const mine = useQuery({
    ...queries.myStanding(token, board.id, period),
    refetchInterval: poll,
  });
  const sort = describeSort(board.sort);
  const ranking = describeRanking(board, period === 'current');
  const share = topShare(mine.data?.percentile);
  const topEntries = top.data?.items ?? [];
  const inTop = topEntries.some((entry) => entry.user_id === userId);
  const neighbourhood = (mine.data?.items ?? []).filter((entry) => entry.rank > 10);
  const below = inTop ? [] : neighbourhood;
  const names = distinctNames(
    [...topEntries, ...below].map((e) => ({ id: e.user_id, name: e.display_name })),
  );
  const missing = top.error instanceof ApiError && top.error.status === 404;

  return (
    <section className="card" aria-labelledby="leaderboard-title">
      <h2 id="leaderboard-title">Leaderboard</h2>
      <p className="hint" data-testid="leaderboard-period">
        {board.name}
        {top.data && <> · {periodLine(top.data.period, board)}</>} ·{' '}
        <span data-testid="leaderboard-ranking">{ranking.label}</span> · {sort.rule}
      </p>
      {missing ? (
        <p className="hint">
          {period === 'previous' ? 'There is no previous period yet.' : 'There is no such period.'}
        </p>
      ) : (
        <p className="hint">
          {top.data
            ? `${top.data.total_players} ${top.data.total_players === 1 ? 'player' : 'players'}.`
            : top.isError
              ? ''
              : 'Loading…'}{' '}
          {mine.data?.rank ? (
            <>
              You are #{mine.data.rank}.
              {share && (
                <>
                  {' '}
                  <span className="percentile" data-testid="percentile">
                    {share}.
                  </span>
                </>
              )}
            </>
          ) : period === 'current' ? (
            'Submit a score to get ranked.'
          ) : (
            'You have no score in this period.'
          )}
        </p>
      )}
      {!missing && <QueryError query={top} />}
      {!(mine.error instanceof ApiError && mine.error.status === 404) && (
        <QueryError query={mine} />
      )}
      {top.data && topEntries.length === 0 && (
        <p className="empty">No scores in this period yet.</p>
      )}
      {topEntries.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Rank</th>
              <th scope="col">Player</th>
              <th scope="col">{ranking.column}</th>
            </tr>
          </thead>
          <tbody>
            <Rows entries={topEntries} names={names} me={userId} board={board} />
            {below.length > 0 && (
              <>
                <tr className="gap" aria-hidden="true">
                  <td colSpan={3}>…</td>
                </tr>
                <Rows entries={below} names={names} me={userId} board={board} />
              </>
            )}
          </tbody>
        </table>
      )}
    </section>
  );
}
