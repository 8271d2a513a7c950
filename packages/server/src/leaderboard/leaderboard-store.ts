/** One period of one board: a leaderboard of its own. */
export type PeriodKey = { boardId: string; periodId: string };

/** A player's place in a period's order. */
export type StandingKey = {
  userId: string;
  /**
   * The ranked value (the best, the latest, the sum or the count, by the board's ranking) made
   * comparable whatever the board's sort: lower is better. A bigint as text (exact).
   */
  rankScore: string;
  /** When the standing first reached that value, in microseconds since the epoch (exact). */
  achievedAtMicros: string;
};

/** One player's standing in a period, as PostgreSQL holds it at one version. */
export type Standing = PeriodKey &
  StandingKey & {
    /**
     * Raised by every change of the standing in PostgreSQL, so that a store can tell the newer of
     * two writes whatever order they arrive in (DELETED_VERSION: the account was deleted).
     */
    version: string;
    /** On the leaderboard: it has a counted score and its player is not suspended. */
    ranked: boolean;
  };

/** Newer than any version a standing reaches: the player's account was deleted. */
export const DELETED_VERSION = String(Number.MAX_SAFE_INTEGER);

export type RankedStanding = PeriodKey & StandingKey & { rank: number };

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
  abstract countAhead(period: PeriodKey, key: StandingKey): Promise<number>;
  /**
   * The ranked standings of the named players (the others left out), with their ranks, in rank
   * order: a lookup per player, never a scan of the period.
   */
  abstract ranks(period: PeriodKey, userIds: string[]): Promise<RankedStanding[]>;
  /** The number of ranked players in the period. */
  abstract count(period: PeriodKey): Promise<number>;
  /**
   * Records standings, of any periods, after their commit (the worker's, or a moderation's). Of
   * two writes of one standing the higher version wins, whichever arrives first.
   */
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
   * rewritten in PostgreSQL without a new version: a repair by reconcile).
   */
  abstract invalidate(period: PeriodKey): Promise<void>;
}
