/** One period of one board: a leaderboard of its own. */
export type PeriodKey = { boardId: string; periodId: string };

/** One player's standing in a period, as the leaderboard orders it. */
export type Standing = PeriodKey & {
  userId: string;
  /** The best made comparable whatever the board's sort: lower is better. */
  rankScore: number;
  /** When the best was first reached, in microseconds since the epoch (exact). */
  achievedAtMicros: string;
};

export type RankedStanding = Standing & { rank: number };

/**
 * Where rankings live: Redis sorted sets (one per board and period) when REDIS_URL is set,
 * PostgreSQL alone otherwise (see LeaderboardModule). Order: rank score ascending (the best by the
 * board's sort first), then achieved_at ascending, then user id ascending; ranks 1, 2, 3, ...
 * without gaps.
 */
export abstract class LeaderboardStore {
  /**
   * Whether rankings live apart from PostgreSQL, so that the worker must record standings after
   * each commit and keep the store whole (see LeaderboardMaintainer).
   */
  abstract readonly recordsStandings: boolean;
  /** `limit` standings from rank `offset + 1` on, and the number of ranked players. */
  abstract page(
    period: PeriodKey,
    limit: number,
    offset: number,
  ): Promise<{ standings: RankedStanding[]; total: number }>;
  /** The player's rank and up to `radius` standings above and below; null before any score. */
  abstract around(
    period: PeriodKey,
    userId: string,
    radius: number,
  ): Promise<{ rank: number; standings: RankedStanding[] } | null>;
  /**
   * How many standings are ahead of `key` (a standing's rank score, time reached and user),
   * whether or not the ranking holds it: the rank a player had with a former standing, now.
   */
  abstract countAhead(period: PeriodKey, key: Omit<Standing, keyof PeriodKey>): Promise<number>;
  /** Records new standings, of any periods (from the worker, after its commit). */
  abstract record(standings: Standing[]): Promise<void>;
  /** Whether the store holds the period's complete ranking, and of how many players. */
  abstract status(period: PeriodKey): Promise<{ ready: boolean; size: number }>;
  /**
   * Builds the period's ranking anew from `readPage` (standings by user id, after the given one),
   * while recording goes on. Returns false when another process is already rebuilding it.
   * `keepUntil`: when the copy may be dropped (a period that has ended is served by PostgreSQL).
   */
  abstract rebuild(
    period: PeriodKey,
    readPage: (afterUserId: string) => Promise<Standing[]>,
    keepUntil: Date | null,
  ): Promise<boolean>;
  /**
   * Marks a period's ranking as no longer complete, so that it is rebuilt (standings were
   * rewritten in PostgreSQL, possibly for the worse, which recording never does).
   */
  abstract invalidate(period: PeriodKey): Promise<void>;
}
