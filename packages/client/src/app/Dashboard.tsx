import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { queries, queryKeys } from '../api/queries';
import type { PeriodSelection } from '../api/types';
import { ErrorBoundary } from '../components/ErrorBoundary';
import { QueryState } from '../components/QueryState';
import { AccountPage } from '../features/account/components/AccountPage';
import { AdminPage } from '../features/admin/components/AdminPage';
import { sessionStore, type Session } from '../features/auth/session-store';
import { BoardPicker } from '../features/boards/components/BoardPicker';
import { BoardSummary } from '../features/boards/components/BoardSummary';
import { GLOBAL_BOARD } from '../features/boards/global-board';
import { Leaderboard } from '../features/leaderboard/components/Leaderboard';
import { ConnectionBadge } from '../features/live/components/ConnectionBadge';
import { NoAnswerBanner } from '../features/live/components/NoAnswerBanner';
import { useLiveUpdates } from '../features/live/useLiveUpdates';
import { PeriodSwitch } from '../features/periods/components/PeriodSwitch';
import { MyResults } from '../features/results/components/MyResults';
import { RecentScores } from '../features/scores/components/RecentScores';
import { ScoreChart } from '../features/scores/components/ScoreChart';
import { SubmitScoreForm } from '../features/scores/components/SubmitScoreForm';
import { MyBoards } from '../features/standings/components/MyBoards';
import { StatsPanel } from '../features/stats/components/StatsPanel';
import { useRoute } from './useRoute';

/** While the live stream is down, the dashboard polls every few seconds instead. */
const POLL_MS = 5000;
/** While the list says a board's period has ended (the clocks differ), it is asked again. */
const ROLLOVER_RETRY_MS = 1000;

/**
 * The signed-in app: the chosen board (global by default) and period, live updates for that
 * board, the account page, and for admins the admin console.
 */
export function Dashboard({ session }: { session: Session }) {
  const queryClient = useQueryClient();
  const route = useRoute();
  const account = useQuery(queries.account(session.token));
  const isAdmin = account.data?.role === 'admin';
  const [boardId, setBoardId] = useState(GLOBAL_BOARD);
  const [period, setPeriod] = useState<PeriodSelection>('current');
  const live = useLiveUpdates(session.token, session.user.id, boardId);
  const poll = live === 'live' ? false : POLL_MS;
  const boards = useQuery({
    ...queries.boards(),
    refetchInterval: (query) =>
      query.state.data?.items.some(
        (b) => b.current_period.ends_at && Date.parse(b.current_period.ends_at) <= Date.now(),
      )
        ? ROLLOVER_RETRY_MS
        : poll,
  });
  const list = boards.data?.items ?? [];
  // An archived board leaves the list: the dashboard then shows global.
  const board = list.find((b) => b.id === boardId) ?? list.find((b) => b.id === GLOBAL_BOARD);
  const shownPeriod = board?.id === boardId ? period : 'current';

  const selectBoard = (id: string) => {
    setBoardId(id);
    setPeriod('current');
  };

  /** The board's period ended: fetch the new one, and everything that was of the old one. */
  const onReset = () => {
    if (!board) return;
    void queryClient.invalidateQueries({ queryKey: queryKeys.boards });
    void queryClient.invalidateQueries({ queryKey: queryKeys.leaderboardsOf(board.id) });
    void queryClient.invalidateQueries({ queryKey: queryKeys.periods(board.id) });
    void queryClient.invalidateQueries({ queryKey: queryKeys.statsOf(board.id) });
    void queryClient.invalidateQueries({ queryKey: queryKeys.myBoards });
  };

  const logOut = () => {
    sessionStore.end();
    queryClient.clear();
  };

  return (
    <>
      <header className="topbar">
        <h1>
          <a href="#/" className="home">
            Scoreboard
          </a>
        </h1>
        {isAdmin && (
          <nav aria-label="Pages" className="pages">
            <a href="#/" aria-current={route.page === 'dashboard' ? 'page' : undefined}>
              Dashboard
            </a>
            <a href="#/admin" aria-current={route.page === 'admin' ? 'page' : undefined}>
              Admin
            </a>
          </nav>
        )}
        <ConnectionBadge status={live} />
        <span className="who">{session.user.display_name}</span>
        <a
          href="#/account"
          className="account-link"
          aria-current={route.page === 'account' ? 'page' : undefined}
        >
          My account
        </a>
        <button type="button" onClick={logOut}>
          Log out
        </button>
      </header>
      <NoAnswerBanner />
      {route.page === 'admin' && isAdmin ? (
        <ErrorBoundary name="Administration">
          <AdminPage token={session.token} userId={session.user.id} section={route.section} />
        </ErrorBoundary>
      ) : route.page === 'account' ? (
        <ErrorBoundary name="My account">
          <AccountPage token={session.token} />
        </ErrorBoundary>
      ) : (route.page === 'admin' && account.isPending) || !board ? (
        <main className="dashboard">
          {boards.isSuccess ? <p className="hint">Loading…</p> : <QueryState query={boards} />}
        </main>
      ) : (
        <>
          <div className="boardbar">
            <BoardPicker boards={list} selected={board.id} onSelect={selectBoard} />
            <BoardSummary board={board} onReset={onReset} />
          </div>
          <main className="dashboard">
            <ErrorBoundary name="Submit a score">
              <SubmitScoreForm
                key={board.id}
                token={session.token}
                userId={session.user.id}
                board={board}
              />
            </ErrorBoundary>
            <ErrorBoundary name="My stats">
              <StatsPanel token={session.token} board={board} period={shownPeriod} poll={poll} />
            </ErrorBoundary>
            <ErrorBoundary name="Leaderboard">
              <Leaderboard
                token={session.token}
                userId={session.user.id}
                board={board}
                period={shownPeriod}
                poll={poll}
              />
            </ErrorBoundary>
            <ErrorBoundary name="Periods">
              <PeriodSwitch board={board} selected={shownPeriod} onSelect={setPeriod} />
            </ErrorBoundary>
            <ErrorBoundary name="My boards">
              <MyBoards
                token={session.token}
                boards={list}
                selected={board.id}
                onSelect={selectBoard}
                poll={poll}
              />
            </ErrorBoundary>
            <ErrorBoundary name="My scores over time">
              <ScoreChart token={session.token} board={board} poll={poll} />
            </ErrorBoundary>
            <ErrorBoundary name="My recent scores">
              <RecentScores token={session.token} board={board} poll={poll} />
            </ErrorBoundary>
            <ErrorBoundary name="My final placements">
              <MyResults token={session.token} boards={list} poll={poll} />
            </ErrorBoundary>
          </main>
        </>
      )}
    </>
  );
}
