import { useQueryClient } from '@tanstack/react-query';
import { sessionStore, type Session } from '../features/auth/session-store';
import { Leaderboard } from '../features/leaderboard/components/Leaderboard';
import { useLiveUpdates } from '../features/live/useLiveUpdates';
import { RecentScores } from '../features/scores/components/RecentScores';
import { ScoreChart } from '../features/scores/components/ScoreChart';
import { SubmitScoreForm } from '../features/scores/components/SubmitScoreForm';
import { StatsPanel } from '../features/stats/components/StatsPanel';

/** While the live stream is down, the dashboard polls every few seconds instead. */
const POLL_MS = 5000;

export function Dashboard({ session }: { session: Session }) {
  const queryClient = useQueryClient();
  const live = useLiveUpdates(session.token, session.user.id);
  const poll = live ? false : POLL_MS;

  const logOut = () => {
    sessionStore.end();
    queryClient.clear();
  };

  return (
    <>
      <header className="topbar">
        <h1>Scoreboard</h1>
        <span className={`live ${live ? 'on' : 'off'}`} role="status">
          {live ? 'Live' : 'Reconnecting…'}
        </span>
        <span className="who">{session.user.display_name}</span>
        <button type="button" onClick={logOut}>
          Log out
        </button>
      </header>
      <main className="dashboard">
        <SubmitScoreForm token={session.token} />
        <StatsPanel token={session.token} poll={poll} />
        <Leaderboard token={session.token} userId={session.user.id} poll={poll} />
        <ScoreChart token={session.token} poll={poll} />
        <RecentScores token={session.token} poll={poll} />
      </main>
    </>
  );
}
