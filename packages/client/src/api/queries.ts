import { apiFetch } from './http';
import type { LeaderboardPage, MyStanding, ScorePage, ScoreRange, Stats } from './types';

/** The cache keys of the server state, also written and invalidated by the live updates. */
export const queryKeys = {
  config: ['config'],
  stats: ['stats'],
  scores: ['scores'],
  topTen: ['leaderboard', 'top'],
  myStanding: ['leaderboard', 'me'],
} as const;

/** Query keys and fetchers for the server state the dashboard shows. */
export const queries = {
  config: () => ({
    queryKey: queryKeys.config,
    queryFn: async () => (await apiFetch<ScoreRange>('/api/config')).body,
    staleTime: Infinity,
  }),
  stats: (token: string) => ({
    queryKey: queryKeys.stats,
    queryFn: async () => (await apiFetch<Stats>('/api/me/stats', { token })).body,
  }),
  scores: (token: string) => ({
    queryKey: queryKeys.scores,
    queryFn: async () => (await apiFetch<ScorePage>('/api/me/scores?limit=50', { token })).body,
  }),
  topTen: () => ({
    queryKey: queryKeys.topTen,
    queryFn: async () => (await apiFetch<LeaderboardPage>('/api/leaderboard?limit=10')).body,
  }),
  myStanding: (token: string) => ({
    queryKey: queryKeys.myStanding,
    queryFn: async () =>
      (await apiFetch<MyStanding>('/api/leaderboard/me?radius=3', { token })).body,
  }),
};
