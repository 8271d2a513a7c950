/** One player's standing, as the leaderboard orders it. */
export type Standing = {
  userId: string;
  highScore: number;
  /** When the high score was first reached, in microseconds since the epoch (exact). */
  achievedAtMicros: string;
};

export type RankedStanding = Standing & { rank: number };

/**
 * Where the ranking lives: a Redis sorted set when REDIS_URL is set, PostgreSQL alone otherwise
 * (see LeaderboardModule). Order: high score desc, then achieved_at asc, then user id asc; ranks
 * 1, 2, 3, ... without gaps.
 */
export abstract class LeaderboardStore {
  /**
   * Whether the ranking lives apart from PostgreSQL, so that the worker must record standings
   * after each commit and keep the store whole (see LeaderboardMaintainer).
   */
  abstract readonly recordsStandings: boolean;
  /** `limit` standings from rank `offset + 1` on, and the number of ranked players. */
  abstract page(
    limit: number,
    offset: number,
  ): Promise<{ standings: RankedStanding[]; total: number }>;
  /** The player's rank and up to `radius` standings above and below; null before any score. */
  abstract around(
    userId: string,
    radius: number,
  ): Promise<{ rank: number; standings: RankedStanding[] } | null>;
  /** Records new standings (from the worker, after its commit). */
  abstract record(standings: Standing[]): Promise<void>;
  /** Whether the store holds a complete ranking, and of how many players. */
  abstract status(): Promise<{ ready: boolean; size: number }>;
  /**
   * Builds the ranking anew from `readPage` (standings by user id, after the given one), while
   * recording goes on. Returns false when another process is already rebuilding it.
   */
  abstract rebuild(readPage: (afterUserId: string) => Promise<Standing[]>): Promise<boolean>;
  /**
   * Marks the ranking as no longer complete, so that it is rebuilt (standings were rewritten in
   * PostgreSQL, possibly downwards, which recording never does).
   */
  abstract invalidate(): Promise<void>;
}
