import { useQuery } from '@tanstack/react-query';
import { queries } from '../../../api/queries';
import type { LeaderboardEntry } from '../../../api/types';

function Rows({ entries, me }: { entries: LeaderboardEntry[]; me: string }) {
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
            {entry.display_name}
            {entry.user_id === me && <span className="you"> (you)</span>}
          </td>
          <td>{entry.high_score}</td>
        </tr>
      ))}
    </>
  );
}

/** The top 10 and, when I am not among them, my neighbourhood; my row is highlighted. */
export function Leaderboard({
  token,
  userId,
  poll,
}: {
  token: string;
  userId: string;
  poll: number | false;
}) {
  const top = useQuery({ ...queries.topTen(), refetchInterval: poll });
  const mine = useQuery({ ...queries.myStanding(token), refetchInterval: poll });
  const topEntries = top.data?.items ?? [];
  const inTop = topEntries.some((entry) => entry.user_id === userId);
  const neighbourhood = (mine.data?.items ?? []).filter((entry) => entry.rank > 10);

  return (
    <section className="card" aria-labelledby="leaderboard-title">
      <h2 id="leaderboard-title">Leaderboard</h2>
      <p className="hint">
        {top.data
          ? `${top.data.total_players} ${top.data.total_players === 1 ? 'player' : 'players'}.`
          : 'Loading…'}{' '}
        {mine.data?.rank ? `You are #${mine.data.rank}.` : 'Submit a score to get ranked.'}
      </p>
      {topEntries.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Rank</th>
              <th scope="col">Player</th>
              <th scope="col">High score</th>
            </tr>
          </thead>
          <tbody>
            <Rows entries={topEntries} me={userId} />
            {!inTop && neighbourhood.length > 0 && (
              <>
                <tr className="gap" aria-hidden="true">
                  <td colSpan={3}>…</td>
                </tr>
                <Rows entries={neighbourhood} me={userId} />
              </>
            )}
          </tbody>
        </table>
      )}
    </section>
  );
}
