import { useQueryClient, type InfiniteData, type QueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { queryKeys } from '../../api/queries';
import { ApiError, Http, openLiveStream, type LiveState } from '@scoreboard/sdk';
import { isGatewayFailure, reachability } from '../../api/reachability';
import type { LeaderboardEntry, LeaderboardPage, Period, PeriodPage, Stats } from '../../api/types';
import { GLOBAL_BOARD } from '../boards/global-board';

/** The stream's reconnections wait at most this long (the SDK's backoff, with jitter). */
const MAX_RETRY_MS = 15_000;
/** Failed connections in a row after which the badge stops promising a reconnection soon. */
const OFFLINE_AFTER_FAILURES = 3;

/**
 * The stream as the badge shows it: up; down and being retried; or given up on for now (the
 * browser is offline, or the server has not answered several attempts in a row; the retries go
 * on, slower).
 */
export type LiveStatus = 'live' | 'reconnecting' | 'offline';

/** A `leaderboard` event: the current top 10 of a board followed. */
type BoardTopTen = {
  board: string;
  period: Period;
  items: LeaderboardEntry[];
  total_players: number;
};
/** A `rank` event: my own score moved my rank on a board followed. */
type RankChange = { board: string; period: string; rank: number; previous_rank: number | null };

/**
 * Keeps the dashboard's queries current from GET /api/stream?boards=<board> (the SDK's live
 * stream), following the selected board (a new stream when it changes), reconnecting with backoff
 * (or after the server's Retry-After, when it refused the stream). While the browser is offline it
 * does not try; it connects again as soon as the browser is back online. Returns the stream's
 * status, so that queries can poll while it is down.
 */
export function useLiveUpdates(token: string, userId: string, board: string): LiveStatus {
  const queryClient = useQueryClient();
  const [status, setStatus] = useState<LiveStatus>(() =>
    navigator.onLine ? 'reconnecting' : 'offline',
  );

  useEffect(() => {
    const http = new Http({ baseUrl: '', credentials: { token } });
    let failures = 0;
    let disconnect = () => {};

    const onState = (state: LiveState, error: unknown) => {
      if (state === 'open') {
        failures = 0;
        reachability.answered();
        setStatus('live');
      } else if (state === 'reconnecting') {
        // An error answer is the server's (too many streams, shutting down: it says when to come
        // back); no answer, or a gateway's for it, is its silence. A stream that ended is neither.
        if (error instanceof ApiError && !isGatewayFailure(error)) reachability.answered();
        else if (error !== undefined) reachability.unanswered();
        failures += 1;
        setStatus(failures >= OFFLINE_AFTER_FAILURES ? 'offline' : 'reconnecting');
      } else if (state === 'closed') {
        // Refused for good (401, or 403: the account was suspended), or the token expired.
        setStatus('reconnecting');
        endSession(queryClient);
      }
    };

    const connect = () => {
      if (!navigator.onLine) {
        setStatus('offline');
        return;
      }
      // Callbacks of a stream this effect has let go of (board changed, offline) change nothing.
      let current = true;
      const stream = openLiveStream(http, (input, init) => fetch(input, init), {
        boards: [board],
        backoff: { maxMs: MAX_RETRY_MS },
        onEvent: (event) => {
          if (current) apply(queryClient, userId, event.type, event.data);
        },
        onState: (state, detail) => {
          if (current) onState(state, detail?.error);
        },
        // The session ends (the next query hears why); the stream closes with it.
        onTokenExpired: () => Promise.reject(new Error('The session ended')),
      });
      disconnect = () => {
        current = false;
        stream.close();
      };
    };

    // The stream would only time out: drop it now, and come back at once with the network.
    const goneOffline = () => {
      disconnect();
      setStatus('offline');
    };
    const backOnline = () => {
      disconnect();
      failures = 0;
      setStatus('reconnecting');
      connect();
    };
    window.addEventListener('offline', goneOffline);
    window.addEventListener('online', backOnline);
    connect();
    return () => {
      window.removeEventListener('offline', goneOffline);
      window.removeEventListener('online', backOnline);
      disconnect();
      setStatus('reconnecting');
    };
  }, [token, userId, board, queryClient]);

  return status;
}

/**
 * The token or its account is no longer accepted: the next query hears why (401, or 403 Account
 * suspended), which ends the session with the matching notice.
 */
function endSession(queryClient: QueryClient): void {
  void queryClient.invalidateQueries({ queryKey: queryKeys.account });
}

/**
 * Puts an event's state into the cache. My rank (GET /api/boards/:board/leaderboard/me) is
 * fetched again only when it may have moved in a way the event shows: a `rank` event; my own high
 * score or score count changed (a first score of 0 changes the count alone) or was not known
 * yet; or a new top 10 holds me or no longer does. Top 10 changes among other players do not cost
 * a request each: a rank below the top 10 that others push down shows when my own standing next
 * changes. A top 10 of a new period (the board reset) refreshes the board and its periods.
 */
function apply(queryClient: QueryClient, userId: string, type: string, data: unknown): void {
  if (type === 'stats') {
    // Always my stats on the global board's current period.
    const stats = data as Stats;
    const key = queryKeys.stats(GLOBAL_BOARD, 'current');
    const before = queryClient.getQueryData<Stats>(key);
    // A fetch under way (after a submission) may have read before this state: its answer, if it
    // landed after the push, would put an older state back with nothing newer to follow.
    void queryClient.cancelQueries({ queryKey: key, exact: true });
    queryClient.setQueryData(key, stats);
    void queryClient.invalidateQueries({ queryKey: queryKeys.scores(GLOBAL_BOARD) });
    if (
      !before ||
      before.high_score !== stats.high_score ||
      before.total_scores !== stats.total_scores
    ) {
      void queryClient.invalidateQueries({
        queryKey: queryKeys.myStanding(GLOBAL_BOARD, 'current'),
      });
      void queryClient.invalidateQueries({ queryKey: queryKeys.myBoards });
    }
  } else if (type === 'leaderboard') {
    const { board, period, items, total_players } = data as BoardTopTen;
    const key = queryKeys.leaderboard(board, 'current');
    const before = queryClient.getQueryData<LeaderboardPage>(key);
    queryClient.setQueryData<LeaderboardPage>(key, {
      items,
      total_players,
      period: { ...period, final: false },
    });
    if (before && before.period.id !== period.id) {
      void queryClient.invalidateQueries({ queryKey: queryKeys.boards });
      void queryClient.invalidateQueries({ queryKey: queryKeys.periods(board) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.leaderboardsOf(board) });
      return;
    }
    updateArchive(queryClient, board, period, items, total_players);
    const holdsMe = (entries: LeaderboardEntry[] | undefined) =>
      entries?.some((entry) => entry.user_id === userId) ?? false;
    if (holdsMe(items) || holdsMe(before?.items)) {
      void queryClient.invalidateQueries({ queryKey: queryKeys.myStanding(board, 'current') });
      // Others can move me too, and only my own scores send me `rank` events.
      void queryClient.invalidateQueries({ queryKey: queryKeys.myBoards });
    }
  } else if (type === 'rank') {
    const { board } = data as RankChange;
    // Joins a fetch already under way for the same change rather than starting another.
    const options = { cancelRefetch: false };
    void queryClient.invalidateQueries(
      { queryKey: queryKeys.myStanding(board, 'current') },
      options,
    );
    void queryClient.invalidateQueries({ queryKey: queryKeys.myBoards }, options);
    if (board !== GLOBAL_BOARD) {
      void queryClient.invalidateQueries({ queryKey: queryKeys.stats(board, 'current') }, options);
    }
  }
}

/** The archive's entry for the current period shows its player count and top 3 as they are now. */
function updateArchive(
  queryClient: QueryClient,
  board: string,
  period: Period,
  items: LeaderboardEntry[],
  players: number,
): void {
  queryClient.setQueryData<InfiniteData<PeriodPage>>(queryKeys.periods(board), (archive) =>
    archive
      ? {
          ...archive,
          pages: archive.pages.map((page) => ({
            ...page,
            items: page.items.map((item) =>
              item.id === period.id ? { ...item, players, top: items.slice(0, 3) } : item,
            ),
          })),
        }
      : archive,
  );
}
