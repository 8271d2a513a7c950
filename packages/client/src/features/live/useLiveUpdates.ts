import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { queryKeys } from '../../api/queries';
import type { LeaderboardPage, Stats } from '../../api/types';
import { readServerEvents } from './sse';

const MAX_RETRY_MS = 15_000;

/**
 * Keeps the dashboard's queries current from GET /api/stream, reconnecting with backoff (or
 * after the server's Retry-After, when it refused the stream). Returns whether the stream is up,
 * so that queries can poll while it is down.
 */
export function useLiveUpdates(token: string, userId: string): boolean {
  const queryClient = useQueryClient();
  const [connected, setConnected] = useState(false);

  useEffect(() => {
    const controller = new AbortController();
    let attempt = 0;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;

    const retryLater = (minimumMs = 0) => {
      setConnected(false);
      attempt += 1;
      const backoff = Math.min(MAX_RETRY_MS, 500 * 2 ** attempt);
      retryTimer = setTimeout(() => void connect(), Math.max(backoff, minimumMs));
    };

    const connect = async () => {
      try {
        const response = await fetch('/api/stream', {
          headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
          signal: controller.signal,
        });
        if (response.status === 401) {
          endSession(queryClient);
          return;
        }
        if (!response.ok || !response.body) {
          // A refusal (too many streams, shutting down) says when to come back.
          void response.body?.cancel();
          retryLater(Number(response.headers.get('retry-after')) * 1000 || 0);
          return;
        }
        for await (const event of readServerEvents(response.body)) {
          attempt = 0;
          setConnected(true);
          if (event.type === 'expired') {
            setConnected(false);
            endSession(queryClient);
            return;
          }
          apply(queryClient, userId, event.type, event.data);
        }
        throw new Error('stream ended');
      } catch {
        if (!controller.signal.aborted) retryLater();
      }
    };
    void connect();
    return () => {
      controller.abort();
      clearTimeout(retryTimer);
      setConnected(false);
    };
  }, [token, userId, queryClient]);

  return connected;
}

/** The token is no longer accepted: the next query gets a 401, which ends the session. */
function endSession(queryClient: QueryClient): void {
  void queryClient.invalidateQueries({ queryKey: queryKeys.stats });
}

/**
 * Puts an event's state into the cache. The caller's rank (GET /api/leaderboard/me) is fetched
 * again only when it may have moved in a way the event shows: their own high score or score
 * count changed (a first score of 0 changes the count alone, and gives a rank) or was not known
 * yet, or a new top 10 holds them or no longer does. Top 10 changes among other players do not
 * cost a request each: a rank below the top 10 that others push down shows when the caller's
 * own standing next changes.
 */
function apply(queryClient: QueryClient, userId: string, type: string, data: unknown): void {
  if (type === 'stats') {
    const stats = data as Stats;
    const before = queryClient.getQueryData<Stats>(queryKeys.stats);
    queryClient.setQueryData(queryKeys.stats, stats);
    void queryClient.invalidateQueries({ queryKey: queryKeys.scores });
    if (
      !before ||
      before.high_score !== stats.high_score ||
      before.total_scores !== stats.total_scores
    ) {
      void queryClient.invalidateQueries({ queryKey: queryKeys.myStanding });
    }
  } else if (type === 'leaderboard') {
    const top = data as LeaderboardPage;
    const before = queryClient.getQueryData<LeaderboardPage>(queryKeys.topTen);
    queryClient.setQueryData(queryKeys.topTen, top);
    const holdsMe = (page: LeaderboardPage | undefined) =>
      page?.items.some((entry) => entry.user_id === userId) ?? false;
    if (holdsMe(top) || holdsMe(before)) {
      void queryClient.invalidateQueries({ queryKey: queryKeys.myStanding });
    }
  }
}
