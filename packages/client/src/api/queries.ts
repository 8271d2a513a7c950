import { apiFetch } from './http';
import type { LeaderboardPage, MyStanding, ScorePage, ScoreRange, Stats } from './types';

/** Query keys and fetchers for the server state the dashboard shows. */
export const queries = {
  config: () => ({
    queryKey: ['config'] as const,
    queryFn: async () => (await apiFetch<ScoreRange>('/api/config')).body,
    staleTime: Infinity,
  }),
  stats: (token: string) => ({
    queryKey: ['stats'] as const,
    queryFn: async () => (await apiFetch<Stats>('/api/me/stats', { token })).body,
  }),
  scores: (token: string) => ({
    queryKey: ['scores'] as const,
    queryFn: async () => (await apiFetch<ScorePage>('/api/me/scores?limit=50', { token })).body,
  }),
  topTen: () => ({
    queryKey: ['leaderboard', 'top'] as const,
    queryFn: async () => (await apiFetch<LeaderboardPage>('/api/leaderboard?limit=10')).body,
  }),
  myStanding: (token: string) => ({
    queryKey: ['leaderboard', 'me'] as const,
    queryFn: async () =>
      (await apiFetch<MyStanding>('/api/leaderboard/me?radius=3', { token })).body,
  }),
};
