import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { LeaderboardPage, Stats } from '../../api/types';
import { readServerEvents } from './sse';

const MAX_RETRY_MS = 15_000;

/**
 * Keeps the dashboard's queries current from GET /api/stream, reconnecting with backoff. Returns
 * whether the stream is up, so that queries can poll while it is down.
 */
export function useLiveUpdates(token: string): boolean {
  const queryClient = useQueryClient();
  const [connected, setConnected] = useState(false);

  useEffect(() => {
    const controller = new AbortController();
    let attempt = 0;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;

    const connect = async () => {
      try {
        const response = await fetch('/api/stream', {
          headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
          signal: controller.signal,
        });
        if (response.status === 401) {
          // The next query will get the same 401 and end the session.
          void queryClient.invalidateQueries({ queryKey: ['stats'] });
          return;
        }
        if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
        for await (const event of readServerEvents(response.body)) {
          attempt = 0;
          setConnected(true);
          if (event.type === 'stats') {
            queryClient.setQueryData(['stats'], event.data as Stats);
            void queryClient.invalidateQueries({ queryKey: ['scores'] });
            void queryClient.invalidateQueries({ queryKey: ['leaderboard', 'me'] });
          } else if (event.type === 'leaderboard') {
            queryClient.setQueryData(['leaderboard', 'top'], event.data as LeaderboardPage);
            void queryClient.invalidateQueries({ queryKey: ['leaderboard', 'me'] });
          }
        }
        throw new Error('stream ended');
      } catch {
        if (controller.signal.aborted) return;
        setConnected(false);
        attempt += 1;
        retryTimer = setTimeout(() => void connect(), Math.min(MAX_RETRY_MS, 500 * 2 ** attempt));
      }
    };
    void connect();
    return () => {
      controller.abort();
      clearTimeout(retryTimer);
      setConnected(false);
    };
  }, [token, queryClient]);

  return connected;
}
