import { infiniteQueryOptions } from '@tanstack/react-query';
import { apiFetch } from './http';
import type {
  Account,
  BoardList,
  LeaderboardPage,
  MyBoards,
  MyResultsPage,
  MyStanding,
  PeriodPage,
  PeriodSelection,
  ScorePage,
  Stats,
} from './types';

/** Periods listed per page of the archive. */
const PERIODS_PER_PAGE = 5;

const query = (params: Record<string, string | number>) =>
  new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();

/**
 * The cache keys of the server state, also written and invalidated by the live updates. Keys of
 * one board start with the same two parts, so that `['leaderboard', board]` covers all its periods.
 */
export const queryKeys = {
  account: ['account'],
  boards: ['boards'],
  myBoards: ['my-boards'],
  myResults: ['my-results'],
  stats: (board: string, period: PeriodSelection) => ['stats', board, period] as const,
  scores: (board: string) => ['scores', board] as const,
  leaderboard: (board: string, period: PeriodSelection) =>
    ['leaderboard', board, period, 'top'] as const,
  myStanding: (board: string, period: PeriodSelection) =>
    ['leaderboard', board, period, 'me'] as const,
  periods: (board: string) => ['periods', board] as const,
  /** Every board's leaderboards and my standings: what shows players' names. */
  leaderboards: ['leaderboard'],
  /** Every board's archive of periods, whose podiums show players' names. */
  allPeriods: ['periods'],
  /** Every period's leaderboard of the board, and my standing in each. */
  leaderboardsOf: (board: string) => ['leaderboard', board] as const,
  /** My stats in every period of the board. */
  statsOf: (board: string) => ['stats', board] as const,
} as const;

/** Query keys and fetchers for the server state the dashboard shows. */
export const queries = {
  account: (token: string) => ({
    queryKey: queryKeys.account,
    queryFn: async () => (await apiFetch<Account>('/api/me', { token })).body,
    staleTime: 60_000,
  }),
  boards: () => ({
    queryKey: queryKeys.boards,
    queryFn: async () => (await apiFetch<BoardList>('/api/boards')).body,
  }),
  myBoards: (token: string) => ({
    queryKey: queryKeys.myBoards,
    queryFn: async () => (await apiFetch<MyBoards>('/api/me/boards', { token })).body,
  }),
  /** My newest placements in final periods. */
  myResults: (token: string) => ({
    queryKey: queryKeys.myResults,
    queryFn: async () =>
      (await apiFetch<MyResultsPage>(`/api/me/results?${query({ limit: 10 })}`, { token })).body,
  }),
  stats: (token: string, board: string, period: PeriodSelection) => ({
    queryKey: queryKeys.stats(board, period),
    queryFn: async () =>
      (await apiFetch<Stats>(`/api/me/stats?${query({ board, period })}`, { token })).body,
  }),
  scores: (token: string, board: string) => ({
    queryKey: queryKeys.scores(board),
    queryFn: async () =>
      (await apiFetch<ScorePage>(`/api/me/scores?${query({ limit: 50, board })}`, { token })).body,
  }),
  leaderboard: (board: string, period: PeriodSelection) => ({
    queryKey: queryKeys.leaderboard(board, period),
    queryFn: async () =>
      (
        await apiFetch<LeaderboardPage>(
          `/api/boards/${board}/leaderboard?${query({ period, limit: 10 })}`,
        )
      ).body,
  }),
  myStanding: (token: string, board: string, period: PeriodSelection) => ({
    queryKey: queryKeys.myStanding(board, period),
    queryFn: async () =>
      (
        await apiFetch<MyStanding>(
          `/api/boards/${board}/leaderboard/me?${query({ period, radius: 3 })}`,
          { token },
        )
      ).body,
  }),
  periods: (board: string) =>
    infiniteQueryOptions({
      queryKey: queryKeys.periods(board),
      queryFn: async ({ pageParam }) =>
        (
          await apiFetch<PeriodPage>(
            `/api/boards/${board}/periods?${query({
              limit: PERIODS_PER_PAGE,
              ...(pageParam ? { cursor: pageParam } : {}),
            })}`,
          )
        ).body,
      initialPageParam: null as string | null,
      getNextPageParam: (page: PeriodPage) => page.next_cursor,
    }),
};
