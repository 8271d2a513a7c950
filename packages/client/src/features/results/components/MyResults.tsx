import { useQuery } from '@tanstack/react-query';
import { queries } from '../../../api/queries';
import type { Board } from '../../../api/types';
import { QueryState } from '../../../components/QueryState';
import { RelativeTime } from '../../../components/RelativeTime';
import { formatPeriod } from '../../boards/format-period';
import { RankedValue } from '../../boards/components/RankedValue';

/** Results change only when a period ends or a moderation revises one: asked again this often. */
const RESULTS_REFRESH_MS = 30_000;

/**
 * My placements in the final results of past periods, newest first: board, period, rank, the
 * ranked value, and whether a game has claimed the reward yet (claims are the game's to make:
 * the dashboard shows them, it does not claim).
 */
export function MyResults({
  token,
  boards,
  poll,
}: {
  token: string;
  boards: Board[];
  poll: number | false;
}) {
  const results = useQuery({
    ...queries.myResults(token),
    refetchInterval: poll === false ? RESULTS_REFRESH_MS : poll,
  });
  const byId = new Map(boards.map((board) => [board.id, board]));
  const items = results.data?.items ?? [];

  return (
    <section className="card wide" aria-labelledby="my-results-title">
      <h2 id="my-results-title">My final placements</h2>
      <QueryState
        query={results}
        empty={
          items.length === 0 && 'None yet: a placement shows here once a period you played ends.'
        }
      />
      {items.length > 0 && (
        <div className="table-scroll" tabIndex={0} role="region" aria-label="My placements table">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Board</th>
                <th scope="col" className="wide-only">
                  Period
                </th>
                <th scope="col">Rank</th>
                <th scope="col" className="wide-only">
                  Standing
                </th>
                <th scope="col">Reward</th>
              </tr>
            </thead>
            <tbody>
              {items.map((result) => {
                // An archived board is no longer listed: its id, its values as plain numbers.
                const board = byId.get(result.board);
                return (
                  <tr key={result.id}>
                    <th scope="row">{board?.name ?? result.board}</th>
                    <td className="wide-only">
                      {formatPeriod(result.period, board?.timezone ?? 'UTC')}
                    </td>
                    <td>#{result.rank}</td>
                    <td className="wide-only">
                      {board ? <RankedValue value={result.value} board={board} /> : result.value}
                    </td>
                    <td>
                      {result.claimed_at ? (
                        <>
                          Claimed <RelativeTime at={result.claimed_at} timeZone={board?.timezone} />
                        </>
                      ) : (
                        'Not claimed'
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
